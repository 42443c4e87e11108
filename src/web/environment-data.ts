/**
 * The Host's environment containers and tarballs for the Environments page
 * and the VPS form. Neither is on the Watch stream, so they are read with
 * ListContainers and ListTarballs: at once, after every change this tab
 * makes, and every {@link REFRESH_MS} while a page shows them (so a
 * change made from the CLI shows up too).
 */
import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { EnvContainer, Environment } from "../../gen/hakuriver/v1/environments_pb.js";
import { api, describeError, isAbort } from "./api.js";

/** How often a shown list is re-read (ms). */
export const REFRESH_MS = 5000;

/** The environment containers on the Host's engine, by name. */
export const containers = signal<readonly EnvContainer[]>([]);
/** The tarballs in shared storage, grouped by environment. */
export const environments = signal<readonly Environment[]>([]);
/** Why the last read failed; empty when it worked. */
export const loadError = signal("");
/** False until the first read answered. */
export const loaded = signal(false);

/** Re-reads both lists. */
export async function refreshEnvironments(signal?: AbortSignal): Promise<void> {
  try {
    const [listed, tarballs] = await Promise.all([api.listContainers({}, { signal }), api.listTarballs({ name: "" }, { signal })]);
    containers.value = [...listed.containers].sort((a, b) => a.name.localeCompare(b.name));
    environments.value = tarballs.environments;
    loadError.value = "";
    loaded.value = true;
  } catch (error) {
    if (!isAbort(error)) loadError.value = describeError(error);
  }
}

/** Keeps both lists fresh while the calling component is shown. */
export function useEnvironmentData(): void {
  useEffect(() => {
    const controller = new AbortController();
    void refreshEnvironments(controller.signal);
    const timer = setInterval(() => void refreshEnvironments(controller.signal), REFRESH_MS);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, []);
}

/** Every environment name a task can use: containers on the Host and packed tarballs, sorted. */
export function environmentNames(): string[] {
  return [...new Set([...containers.value.map((c) => c.name), ...environments.value.map((e) => e.name)])].sort();
}
