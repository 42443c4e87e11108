/**
 * A task's output on the runner: appended to `shared_dir/task_outputs/<id>.out`
 * and `task_errors/<id>.err`, then shipped to the Host from the file, by byte
 * offset. Shipping from the file (not from memory) means a reconnect simply
 * resumes at the Host's cursor: nothing lost, nothing sent twice.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { taskLogPath as outputPath, type StreamName } from "../shared/task-log-path.js";
import type { OutputSink } from "./executors/executor.js";

export { taskLogPath as outputPath, type StreamName } from "../shared/task-log-path.js";

/** Sends one chunk; returns false when it cannot take more now (back-pressure). */
export type ChunkSender = (taskId: string, stream: StreamName, offset: number, data: Uint8Array) => boolean;

const CHUNK_BYTES = 64 * 1024;

/**
 * One stream's log file. Its descriptor is opened on demand and closed by
 * {@link StreamFile.release}: a runner holds thousands of ended tasks, and a
 * descriptor kept per ended task once ran a runner into its fd limit.
 */
class StreamFile {
  written: number;
  shipped = 0;
  private fd: number | undefined;

  /** Bytes the task wrote that could not be stored (disk full, unwritable dir). */
  droppedBytes = 0;
  /** The first storage error, for the task's message. */
  storageError: string | undefined;

  constructor(readonly path: string) {
    this.written = 0;
    try {
      mkdirSync(dirname(path), { recursive: true });
      // Created now, so a task that never prints still has its (empty) log files.
      this.fd = openSync(path, "a+");
      this.written = fstatSync(this.fd).size;
    } catch (error) {
      // The task still runs and ends with its real status; its message says what happened to the output.
      this.storageError ??= describe(error);
    }
  }

  private open(): number {
    this.fd ??= openSync(this.path, "a+");
    return this.fd;
  }

  /** Appends `data`; what cannot be written (say, the disk is full) is counted, never thrown. */
  append(data: Uint8Array): void {
    let done = 0;
    try {
      const fd = this.open();
      while (done < data.length) done += writeSync(fd, data, done, data.length - done);
    } catch (error) {
      this.storageError ??= describe(error);
      this.droppedBytes += data.length - done;
    }
    this.written += done;
  }

  read(offset: number, length: number): Uint8Array {
    const buffer = Buffer.alloc(length);
    const read = readSync(this.open(), buffer, 0, length, offset);
    return buffer.subarray(0, read);
  }

  /** Closes the descriptor; a later append or read opens the file again. */
  release(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Both streams of one task, with shipping state. */
export class TaskOutput implements OutputSink {
  private readonly files: Record<StreamName, StreamFile>;
  private sender: ChunkSender | undefined;
  private ended = false;

  constructor(
    readonly taskId: string,
    sharedDir: string,
  ) {
    this.files = {
      stdout: new StreamFile(outputPath(sharedDir, taskId, "stdout")),
      stderr: new StreamFile(outputPath(sharedDir, taskId, "stderr")),
    };
  }

  stdout(data: Uint8Array): void {
    this.files.stdout.append(data);
    this.pump();
  }

  stderr(data: Uint8Array): void {
    this.files.stderr.append(data);
    this.pump();
  }

  /**
   * What went wrong storing this task's output on the node, if anything
   * ("312 bytes of output could not be stored: ENOSPC: no space left ...").
   */
  storageProblem(): string | undefined {
    const files = [this.files.stdout, this.files.stderr].filter((f) => f.storageError !== undefined);
    if (files.length === 0) return undefined;
    const dropped = files.reduce((sum, f) => sum + f.droppedBytes, 0);
    return `${dropped} bytes of output could not be stored on the node (${files[0]!.storageError})`;
  }

  /** Bytes written so far to a stream. */
  size(stream: StreamName): number {
    return this.files[stream].written;
  }

  /**
   * Attaches to a (new) connection: shipping resumes from the Host's cursors.
   * With no sender, output is only written to disk.
   */
  attach(sender: ChunkSender | undefined, cursors?: { stdout: number; stderr: number }): void {
    this.sender = sender;
    if (cursors) {
      this.files.stdout.shipped = Math.min(cursors.stdout, this.files.stdout.written);
      this.files.stderr.shipped = Math.min(cursors.stderr, this.files.stderr.written);
    }
    this.pump();
  }

  /**
   * Says the task has written its last byte. From then on the files' descriptors
   * are closed whenever nothing is left to ship (or no connection would take it),
   * and opened again only if a reconnect has to re-ship from an earlier cursor.
   */
  end(): void {
    this.ended = true;
    this.pump();
    this.releaseIfIdle();
  }

  /** True when every written byte was handed to the connection. */
  get fullyShipped(): boolean {
    return this.files.stdout.shipped >= this.files.stdout.written && this.files.stderr.shipped >= this.files.stderr.written;
  }

  /** Ships what is written and not yet shipped, until the sender pushes back. */
  pump(): void {
    this.ship();
    this.releaseIfIdle();
  }

  private ship(): void {
    const send = this.sender;
    if (!send) return;
    for (const stream of ["stdout", "stderr"] as const) {
      const file = this.files[stream];
      while (file.shipped < file.written) {
        const data = file.read(file.shipped, Math.min(CHUNK_BYTES, file.written - file.shipped));
        if (data.length === 0) break;
        if (!send(this.taskId, stream, file.shipped, data)) return;
        file.shipped += data.length;
      }
    }
  }

  /** An ended task keeps descriptors only while a connection still has bytes of it to take. */
  private releaseIfIdle(): void {
    if (this.ended && (this.fullyShipped || !this.sender)) this.close();
  }

  /** Closes both files' descriptors (a later write or re-ship opens them again). */
  close(): void {
    this.files.stdout.release();
    this.files.stderr.release();
  }
}
