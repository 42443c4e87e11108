/**
 * The ConnectError a call fails with, for tests that assert on codes and details.
 */
import assert from "node:assert/strict";
import { ConnectError } from "@connectrpc/connect";

/** Awaits `promise` and returns its failure as a ConnectError; fails the test if it succeeds. */
export async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  assert.fail("the call succeeded");
}
