/**
 * Types of pino-roll 4 (it ships none): the parts HakuRiver uses. Its
 * default export builds a sonic-boom stream that pino writes to.
 */
declare module "pino-roll" {
  import type { DestinationStream } from "pino";

  /** The options HakuRiver passes (see the package's README for the rest). */
  export interface PinoRollOptions {
    /** Base file name; the number goes before the extension (host.log → host.1.log). */
    readonly file: string;
    /** Roll past this size: a number is megabytes; a string may end in b, k, m or g. */
    readonly size?: string | number;
    /** Files to keep; with removeOtherLogFiles, the one in use included and earlier processes' files too. */
    readonly limit?: { readonly count?: number; readonly removeOtherLogFiles?: boolean };
    /** Create the file's directory when missing. */
    readonly mkdir?: boolean;
    /** Write synchronously (sonic-boom's option). */
    readonly sync?: boolean;
  }

  /** Opens the first file and returns the stream. */
  export default function build(options: PinoRollOptions): Promise<DestinationStream>;
}
