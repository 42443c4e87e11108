/**
 * `--after ID[,ID...]` and `--after-ok ID[,ID...]` of `task submit` and `vps
 * submit`: repeatable, comma lists allowed. The Host checks the ids (and
 * names the field, `after[1]`, in its error).
 */
import type { Argv } from "yargs";

/** The dependency options' values as yargs gives them. */
export interface DependencyArgs {
  after?: (string | number)[];
  "after-ok"?: (string | number)[];
}

/** The ids of repeated, comma-separated option values, in order; an empty part is kept (the Host refuses it by name). */
export function dependencyIds(values: readonly (string | number)[] | undefined): string[] {
  return (values ?? []).flatMap((value) => String(value).split(",")).map((id) => id.trim());
}

/** The SubmitTaskRequest fields of the options. */
export function dependencyFields(args: DependencyArgs): { after: string[]; afterOk: string[] } {
  return { after: dependencyIds(args.after), afterOk: dependencyIds(args["after-ok"]) };
}

/** Adds `--after` and `--after-ok`. */
export function dependencyOptions<T>(y: Argv<T>) {
  return y
    .option("after", { type: "string", array: true, describe: "start once these task or batch ids have ended, however they ended (repeatable, or ID,ID)" })
    .option("after-ok", { type: "string", array: true, describe: "start only if these task or batch ids all completed; else fail without running" });
}
