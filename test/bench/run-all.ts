/**
 * Runs every benchmark in this folder, each in its own process, and lets
 * them print their figures. `npm run bench -- NAME` runs only those whose
 * file name contains NAME. Every `.js` here but this one is a benchmark:
 * cli-start, dashboard, docker-overhead, exec-latency, forward-throughput, heartbeat-scale, host-memory, jump-login,
 * large-submit, native-throughput, ssh-tunnel,
 * submit-durability, task-latency.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
let failed = 0;
for (const file of readdirSync(here).filter((f) => f.endsWith(".js") && f !== "run-all.js").sort()) {
  if (only.length > 0 && !only.some((name) => file.includes(name))) continue;
  console.log(`\n== ${file.replace(/\.js$/, "")}`);
  const result = spawnSync(process.execPath, [join(here, file)], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
