/** A signal of the current time, ticking each second, for relative times. */
import { signal } from "@preact/signals";

/** Date.now(), updated every second. */
export const now = signal(Date.now());
setInterval(() => {
  now.value = Date.now();
}, 1000);
