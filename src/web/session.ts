/**
 * Who the dashboard calls the Host as: the token the user gave (kept for the
 * browser tab's session only, in sessionStorage), whether the Host asks for
 * one at all, and why the last one was refused.
 */
import { signal } from "@preact/signals";

const STORAGE_KEY = "hakuriver.token";

/** The bearer token; empty = none given. */
export const token = signal<string>(sessionStorage.getItem(STORAGE_KEY) ?? "");
/** True once DescribeCluster said the Host requires credentials. */
export const authRequired = signal<boolean>(false);
/** Why the Host refused the token (shown on the login form); empty = not refused. */
export const refusal = signal<string>("");
/** The caller as WhoAmI named them ("alice (operator)"); empty until known. */
export const caller = signal<string>("");

/** Keeps `value` for this tab's session and clears any refusal. */
export function keepToken(value: string): void {
  token.value = value.trim();
  sessionStorage.setItem(STORAGE_KEY, token.value);
  refusal.value = "";
}

/** Forgets the token, showing `reason` on the login form. */
export function refuseToken(reason: string): void {
  sessionStorage.removeItem(STORAGE_KEY);
  token.value = "";
  caller.value = "";
  refusal.value = reason;
}
