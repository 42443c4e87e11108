/**
 * `logs --json`: one JSON line per chunk of output, then one for the end.
 *
 * A chunk record is
 * `{"stream":"stdout","offset":"0","bytes":"6","data":"hello\n","dataBase64":null}`:
 * `offset` is the byte offset of its first byte in the stream and `bytes`
 * its length in bytes (both decimal strings, as 64-bit integers are in every
 * `--json` shape). `data` is the bytes as UTF-8 text; when they are not
 * valid UTF-8, `data` is null and `dataBase64` holds them instead. A
 * character split between two chunks of the Host's is never split between
 * records: its first bytes wait for the rest.
 *
 * With `--timestamps` every chunk record also has `receivedAt`: when its
 * first byte reached the Host, ISO 8601 UTC with milliseconds (null when the
 * Host sent no time).
 *
 * The last line is `{"end":{"status":"completed","exitCode":0,"size":"6"}}`
 * (the LogEnd message in the shared JSON form: `exitCode` null when unknown).
 */
import type { JsonObject } from "@bufbuild/protobuf";
import { LogEndSchema, type LogEnd } from "../../gen/hakuriver/v1/client_pb.js";
import { messageJson } from "./json-shapes.js";

/** How many bytes at the end of `bytes` start a UTF-8 character whose other bytes have not come yet (0 to 3). */
export function incompleteUtf8Tail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // A continuation byte: the lead is further back.
    const needed = byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The record of `data` starting at byte `offset` of `stream`; with
 * `receivedAtMs` given (a number, or null for unknown) it has `receivedAt`.
 */
export function logChunkJson(stream: "stdout" | "stderr", offset: bigint, data: Uint8Array, receivedAtMs?: number | null): JsonObject {
  let text: string | null = null;
  try {
    text = strictUtf8.decode(data);
  } catch {
    text = null; // Not UTF-8: the bytes go out as base64 instead, nothing is lost.
  }
  return {
    stream,
    offset: offset.toString(),
    bytes: String(data.length),
    data: text,
    dataBase64: text === null ? Buffer.from(data).toString("base64") : null,
    ...(receivedAtMs === undefined ? {} : { receivedAt: receivedAtMs === null ? null : new Date(receivedAtMs).toISOString() }),
  };
}

/** The last record of a `logs --json` run. */
export function logEndJson(end: LogEnd): JsonObject {
  return { end: messageJson(LogEndSchema, end) };
}

/**
 * Turns the Host's chunks into records, holding back the first bytes of a
 * character split across chunks until the rest comes (or the stream ends).
 */
export class LogRecordWriter {
  private pending = new Uint8Array(0);
  private pendingOffset = 0n;
  private pendingReceivedAtMs: number | null = null;

  /** With `timestamps`, every chunk record has `receivedAt` (see {@link logChunkJson}). */
  constructor(
    private readonly stream: "stdout" | "stderr",
    private readonly write: (line: string) => void,
    private readonly timestamps = false,
  ) {}

  /**
   * Takes `data` at byte `offset` (which follows everything taken before),
   * which reached the Host at `receivedAtMs` (null: unknown).
   */
  chunk(offset: bigint, data: Uint8Array, receivedAtMs: number | null = null): void {
    if (data.length === 0) return;
    const held = this.pending.length > 0;
    const start = held ? this.pendingOffset : offset;
    // A record's time is its first byte's: held-back bytes keep the time they came with.
    const at = held ? this.pendingReceivedAtMs : receivedAtMs;
    const all = held ? Buffer.concat([this.pending, data]) : data;
    const heldBack = incompleteUtf8Tail(all);
    const ready = all.subarray(0, all.length - heldBack);
    this.pending = Uint8Array.from(all.subarray(all.length - heldBack));
    this.pendingOffset = start + BigInt(ready.length);
    this.pendingReceivedAtMs = ready.length > 0 ? receivedAtMs : at;
    if (ready.length > 0) this.write(`${JSON.stringify(logChunkJson(this.stream, start, ready, this.timeOf(at)))}\n`);
  }

  private timeOf(atMs: number | null): number | null | undefined {
    return this.timestamps ? atMs : undefined;
  }

  /** Writes what is held back (a character never completed) and the end record. */
  end(end: LogEnd | undefined): void {
    if (this.pending.length > 0) this.write(`${JSON.stringify(logChunkJson(this.stream, this.pendingOffset, this.pending, this.timeOf(this.pendingReceivedAtMs)))}\n`);
    this.pending = new Uint8Array(0);
    if (end) this.write(`${JSON.stringify(logEndJson(end))}\n`);
  }
}
