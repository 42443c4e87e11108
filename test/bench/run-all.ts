/**
 * Runs every benchmark in this folder in turn and prints their figures.
 * Benchmarks needing Docker are skipped with a note when no engine answers.
 */
import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
for (const file of readdirSync(here).filter((f) => f.endsWith(".js") && f !== "run-all.js").sort()) {
  if (only.length > 0 && !only.some((name) => file.includes(name))) continue;
  console.log(`\n== ${file.replace(/\.js$/, "")}`);
  const module = (await import(`./${file}`)) as Record<string, unknown>;
  const entry = Object.entries(module).find(([name, value]) => name.startsWith("bench") && typeof value === "function");
  if (!entry) {
    console.log("(no bench* export)");
    continue;
  }
  try {
    await (entry[1] as () => Promise<void>)();
  } catch (error) {
    console.log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
