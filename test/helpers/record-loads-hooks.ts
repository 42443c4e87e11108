/**
 * The loader hooks of record-loads.ts (they run on the loader's own thread).
 */
import { appendFileSync } from "node:fs";

type Next = (url: string, context: unknown) => Promise<unknown>;

/** Records `url` in HAKURIVER_TEST_LOADS, then loads it as usual. */
export async function load(url: string, context: unknown, next: Next): Promise<unknown> {
  const file = process.env.HAKURIVER_TEST_LOADS;
  if (file) appendFileSync(file, `${url}\n`);
  return next(url, context);
}
