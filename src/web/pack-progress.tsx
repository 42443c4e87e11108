/**
 * Packing an environment into a tarball (the CreateTarball server stream)
 * and its progress bar. The Host reports phases (commit, save, prune) and
 * the bytes saved so far, not a total: the bar gives each phase its share
 * and, during the save, estimates the total from the environment's newest
 * earlier tarball (when it has none, the bar stays mid-way and the bytes
 * written are shown).
 */
import { signal } from "@preact/signals";
import type { Tarball, TarballProgress } from "../../gen/hakuriver/v1/environments_pb.js";
import { api, describeError } from "./api.js";
import { formatBytes } from "./format.js";

/** One pack in progress or just finished. */
export interface Pack {
  readonly name: string;
  /** Progress events so far, in order. */
  readonly steps: readonly TarballProgress[];
  /** Size of the previous tarball, as the estimate of this one (bytes; 0 = none). */
  readonly estimateBytes: number;
  readonly done?: Tarball;
  readonly error?: string;
}

/** Packs by environment name: the running ones and the last finished one of each. */
export const packs = signal<ReadonlyMap<string, Pack>>(new Map());

function update(name: string, change: (pack: Pack) => Pack): void {
  const next = new Map(packs.value);
  const pack = next.get(name);
  if (pack) next.set(name, change(pack));
  packs.value = next;
}

/** Percentage (0–100) a pack has reached. */
export function packPercent(pack: Pack): number {
  if (pack.done) return 100;
  const last = pack.steps[pack.steps.length - 1];
  if (!last) return 0;
  if (last.phase === "commit") return 5;
  if (last.phase === "prune") return 95;
  if (last.message.startsWith("saved ")) return 90;
  const estimated = pack.estimateBytes > 0 ? Math.min(1, Number(last.bytes) / pack.estimateBytes) : 0.5;
  return Math.round(10 + 80 * estimated);
}

/** True while a pack of `name` runs. */
export function isPacking(name: string): boolean {
  const pack = packs.value.get(name);
  return pack !== undefined && !pack.done && pack.error === undefined;
}

/** Packs environment `name`; `onDone` runs after the tarball is written (to refresh the list). */
export async function startPack(name: string, estimateBytes: number, onDone: () => void): Promise<void> {
  packs.value = new Map(packs.value).set(name, { name, steps: [], estimateBytes });
  try {
    for await (const response of api.createTarball({ name, keep: 0 })) {
      const event = response.event;
      if (event.case === "progress") update(name, (pack) => ({ ...pack, steps: [...pack.steps, event.value] }));
      else if (event.case === "done") update(name, (pack) => ({ ...pack, done: event.value }));
    }
    onDone();
  } catch (error) {
    update(name, (pack) => ({ ...pack, error: describeError(error) }));
  }
}

/** The bar and the phases of one pack. */
export function PackProgress(props: { readonly pack: Pack; readonly onDismiss: () => void }) {
  const { pack } = props;
  const percent = packPercent(pack);
  const last = pack.steps[pack.steps.length - 1];
  const phases = [...new Set(pack.steps.map((step) => step.phase))];
  const finished = pack.done !== undefined || pack.error !== undefined;
  return (
    <div class="pack" data-testid={`pack-${pack.name}`}>
      <div class="pack-head">
        <strong>
          Packing <code>{pack.name}</code>
        </strong>
        <span class="pack-percent" data-testid="pack-percent">
          {percent}%
        </span>
        <span class="spacer" />
        {finished && (
          <button class="link-dark" onClick={props.onDismiss}>
            Dismiss
          </button>
        )}
      </div>
      <div class={`pack-bar${pack.error !== undefined ? " pack-bar-failed" : ""}`} role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-label={`packing ${pack.name}`}>
        <div class="pack-fill" style={{ width: `${percent}%` }} />
      </div>
      <p class="pack-line muted" data-testid="pack-phases">
        {phases.length > 0 ? phases.join(" → ") : "starting…"}
        {last && !pack.done && ` · ${last.message}${last.phase === "save" ? ` (${formatBytes(last.bytes)})` : ""}`}
        {pack.done && ` · packed ${pack.done.file} (${formatBytes(pack.done.sizeBytes)})`}
      </p>
      {pack.error !== undefined && (
        <p class="field-error" role="alert">
          {pack.error}
        </p>
      )}
    </div>
  );
}
