/**
 * Environment sync on a runner: before a task, the newest tarball
 * `<env>-<unixts>.tar` in `shared_dir/<container_dir>` is loaded when the
 * local image `hakuriver/<env>:base` is missing or older than the tarball.
 * Concurrent tasks of one environment share one check-and-load.
 */
import { createReadStream, statSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import type { Logger } from "pino";
import { environmentImage, listTarballs } from "../shared/tarballs.js";
import { checkEnvironmentName } from "../shared/docker-names.js";
import type { RunnerFigures } from "./runner-figures.js";

/** The newest tarball of `env` in `dir`: file and Unix seconds; undefined when there is none. */
export function newestTarball(dir: string, env: string): { file: string; timestamp: number } | undefined {
  const newest = listTarballs(dir, env)[0];
  return newest && { file: newest.file, timestamp: newest.timestamp };
}

/** Keeps local environment images in step with the tarballs on shared storage. */
export class ImageSync {
  private readonly inflight = new Map<string, Promise<string>>();
  /** Newest tarball timestamp loaded per environment by this process. */
  private readonly loaded = new Map<string, number>();
  /** Tarball loads done by this process (also in the log, for tests and people). */
  loads = 0;

  constructor(
    private readonly docker: Docker,
    /** `shared_dir/<container_dir>`. */
    private readonly dir: string,
    private readonly log: Logger,
    /** Where each load's time is counted for the heartbeat's figures; none = not counted. */
    private readonly figures?: RunnerFigures,
  ) {}

  /** Makes sure the environment's image is current; resolves with its tag. One check per environment at a time. */
  ensure(env: string): Promise<string> {
    const running = this.inflight.get(env);
    if (running) return running;
    const check = this.check(env).finally(() => this.inflight.delete(env));
    this.inflight.set(env, check);
    return check;
  }

  private async check(env: string): Promise<string> {
    // The name goes into the engine's URL paths: never one Docker's grammar refuses.
    checkEnvironmentName(env);
    const tag = environmentImage(env);
    const newest = newestTarball(this.dir, env);
    const createdSec = await this.docker
      .getImage(tag)
      .inspect()
      .then((info) => Math.floor(Date.parse(info.Created) / 1000), () => undefined);
    if (!newest) {
      if (createdSec !== undefined) return tag;
      throw new Error(`environment "${env}" has no image ${tag} on this node and no tarball ${env}-<ts>.tar in ${this.dir}: pack it on the Host with "hakuriver docker create-tar ${env}", or use --container NULL`);
    }
    const stale = createdSec === undefined || (newest.timestamp > createdSec && newest.timestamp > (this.loaded.get(env) ?? 0));
    if (stale) await this.load(env, join(this.dir, newest.file), createdSec === undefined ? "missing" : "older than the tarball");
    this.loaded.set(env, Math.max(newest.timestamp, this.loaded.get(env) ?? 0));
    return tag;
  }

  private async load(env: string, path: string, why: string): Promise<void> {
    const sizeBytes = statSync(path).size;
    const started = Date.now();
    this.log.info({ env, tarball: path, sizeBytes, why }, "loading environment tarball");
    let readBytes = 0;
    let lastLog = Date.now();
    const file = createReadStream(path, { highWaterMark: 1 << 20 });
    file.on("data", (chunk) => {
      readBytes += chunk.length;
      if (Date.now() - lastLog >= 2000) {
        lastLog = Date.now();
        this.log.info({ env, readBytes, sizeBytes, percent: Math.round((readBytes / Math.max(1, sizeBytes)) * 100) }, "loading environment tarball: progress");
      }
    });
    const response = await this.docker.loadImage(file, { quiet: true });
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(response, (error: Error | null, events: { error?: string; errorDetail?: { message?: string } }[]) => {
        const failed = error?.message ?? events?.find((e) => e.error || e.errorDetail)?.error;
        if (failed) reject(new Error(`loading ${path} failed: ${failed}`));
        else resolve();
      });
    });
    await this.docker.getImage(environmentImage(env)).inspect().catch(() => {
      throw new Error(`${path} was loaded but holds no image ${environmentImage(env)}: repack it on the Host with "hakuriver docker create-tar ${env}"`);
    });
    this.loads += 1;
    this.figures?.imageLoaded((Date.now() - started) / 1000);
    this.log.info({ env, tarball: path, sizeBytes, ms: Date.now() - started, loads: this.loads }, "loaded environment tarball");
  }
}
