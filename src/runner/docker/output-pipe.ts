/**
 * Demultiplexes a container's output stream (attach or logs, no TTY) into
 * a task's sink. Bytes already written (before a runner restart) can be
 * skipped, so re-reading the whole log from the engine appends only what is new.
 */
import { Writable } from "node:stream";
import type Docker from "dockerode";
import type { OutputSink } from "../executors/executor.js";

/** Bytes of each stream that the sink already holds. */
export interface OutputSkip {
  readonly stdout: number;
  readonly stderr: number;
}

function skipping(bytes: number, emit: (data: Uint8Array) => void): Writable {
  let left = bytes;
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (left >= chunk.length) left -= chunk.length;
      else {
        emit(chunk.subarray(left));
        left = 0;
      }
      done();
    },
  });
}

/** Pipes `stream` into `sink`; resolves when the stream ends, closes or fails. */
export function pipeOutput(docker: Docker, stream: NodeJS.ReadableStream, sink: OutputSink, skip: OutputSkip = { stdout: 0, stderr: 0 }): Promise<void> {
  const ended = new Promise<void>((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
  docker.modem.demuxStream(
    stream,
    skipping(skip.stdout, (data) => sink.stdout(data)),
    skipping(skip.stderr, (data) => sink.stderr(data)),
  );
  return ended;
}
