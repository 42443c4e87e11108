/**
 * The dashboard's files, served from the built directory (dist/web) at `/`
 * on every protocol the port speaks. A path that names no file and looks
 * like a page (`/tasks/123`, a client-side route) gets index.html; hashed
 * files under `/assets/` may be cached for a year, everything else is
 * revalidated (ETag). Bodies are compressed once (brotli or gzip, as the
 * browser accepts) and kept in memory: the files are small and few. No
 * request path can leave the directory: `..`, dot files, NUL, backslashes
 * and symlinks pointing out are refused. The page needs no token (it asks
 * the user for one); the RPCs it calls keep their policy.
 */
import { realpath, readFile, stat } from "node:fs/promises";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { extname, join, sep } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants as zlibConstants, gzip } from "node:zlib";
import type { Logger } from "pino";
import type { NodeHandler, NodeRequest, NodeResponse } from "./connect-handler.js";
import { dashboardHeaders } from "./page-headers.js";

/** The built dashboard next to the compiled Host: this file is dist/src/host/http/static-files.js, the page dist/web. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL("../../../web/", import.meta.url));

/** What `/` says when the directory is missing. */
export const DASHBOARD_NOT_BUILT = "the dashboard is not built: run `npm run build` in the HakuRiver checkout (it writes dist/web), then reload\n";

/** Files above this size are read for each request and sent as they are (never cached or compressed). */
const MAX_CACHED_BYTES = 16 * 1024 * 1024;
/** Below this size compression is not worth a header. */
const MIN_COMPRESS_BYTES = 512;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};

const COMPRESSIBLE = /^(text\/|application\/(json|manifest\+json|wasm)|image\/(svg\+xml|x-icon))/;

type Encoding = "br" | "gzip";

/** One file as served: its bytes, and its compressed forms once someone asked. */
interface Prepared {
  readonly mtimeMs: number;
  readonly size: number;
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
  readonly encoded: Map<Encoding, Promise<Buffer>>;
}

/** A request path resolved inside the root, or why it cannot be. */
type Resolved = { readonly segments: readonly string[] } | { readonly status: 400 | 404 };

/** The path's segments, or 400 for bytes no real file name here has, 404 for `..` and dot files. Pure. */
export function resolveRequestPath(url: string): Resolved {
  const pathname = url.split(/[?#]/, 1)[0]!;
  if (!pathname.startsWith("/")) return { status: 400 };
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { status: 400 };
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return { status: 400 };
  const segments = decoded.split("/").filter((segment) => segment !== "");
  if (segments.some((segment) => segment.startsWith("."))) return { status: 404 };
  return { segments };
}

/** The encoding to send, preferring brotli, from an Accept-Encoding header. Pure. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  const accepted = new Set<string>();
  for (const part of (acceptEncoding ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name && (q === undefined || Number(q) > 0)) accepted.add(name);
  }
  if (accepted.has("br")) return "br";
  if (accepted.has("gzip")) return "gzip";
  return undefined;
}

const compressors: Record<Encoding, (body: Buffer) => Promise<Buffer>> = {
  br: (body) => promisify(brotliCompress)(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: zlibConstants.BROTLI_MAX_QUALITY, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
  gzip: (body) => promisify(gzip)(body, { level: 9 }),
};

function cacheControl(segments: readonly string[]): string {
  return segments[0] === "assets" && segments.length > 1 ? "public, max-age=31536000, immutable" : "no-cache";
}

/** A file name (with an extension) or a file under /assets/: a missing one is a 404, not a page. */
function looksLikeFile(segments: readonly string[]): boolean {
  return segments[0] === "assets" || extname(segments.at(-1) ?? "") !== "";
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
}

/** Serves the files of `dir` (read at each request, so a dashboard built after the Host started is found). */
export function dashboardFiles(dir: string, log: Logger): NodeHandler {
  const cache = new Map<string, Prepared>();

  async function prepared(file: string, mtimeMs: number, size: number): Promise<Prepared> {
    const known = cache.get(file);
    if (known && known.mtimeMs === mtimeMs && known.size === size) return known;
    const body = await readFile(file);
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
    const fresh: Prepared = { mtimeMs, size, body, type, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`, encoded: new Map() };
    if (body.length <= MAX_CACHED_BYTES) cache.set(file, fresh);
    return fresh;
  }

  /** The real path and size of a regular file under `root`; undefined when there is none (or it is a symlink pointing out). */
  async function fileInside(root: string, segments: readonly string[]): Promise<{ path: string; mtimeMs: number; size: number } | undefined> {
    const candidate = join(root, ...segments);
    const info = await statOrUndefined(candidate);
    if (!info?.isFile()) return undefined;
    const real = await realpath(candidate);
    return real.startsWith(root + sep) ? { path: real, mtimeMs: info.mtimeMs, size: info.size } : undefined;
  }

  /** The file to send for a path and the segments that set its cache policy; "missing" is a 404, "no-index" a dashboard not built. */
  async function locate(root: string, segments: readonly string[]) {
    const exact = segments.length > 0 ? await fileInside(root, segments) : undefined;
    if (exact) return { file: exact, segments };
    if (segments.length > 0 && looksLikeFile(segments)) return "missing";
    const index = await fileInside(root, ["index.html"]);
    return index ? { file: index, segments: ["index.html"] } : "no-index";
  }

  async function serve(request: NodeRequest, response: NodeResponse): Promise<void> {
    const headers = dashboardHeaders(request);
    const text = (status: number, body: string) => {
      response.writeHead(status, { ...headers, "content-type": "text/plain; charset=utf-8", "cache-control": "no-cache", "content-length": Buffer.byteLength(body) });
      if (request.method === "HEAD") response.end();
      else response.end(body);
    };
    if (request.method !== "GET" && request.method !== "HEAD") return text(404, "not found: no such RPC, and the dashboard's files are only served to GET and HEAD\n");
    const resolved = resolveRequestPath(request.url ?? "/");
    if ("status" in resolved) return text(resolved.status, resolved.status === 400 ? "bad request path\n" : "not found\n");
    const rootInfo = await statOrUndefined(dir);
    if (!rootInfo?.isDirectory()) return text(404, DASHBOARD_NOT_BUILT);
    const root = await realpath(dir);
    const found = await locate(root, resolved.segments);
    if (found === "missing") return text(404, "not found\n");
    if (found === "no-index") return text(404, DASHBOARD_NOT_BUILT);
    const file = await prepared(found.file.path, found.file.mtimeMs, found.file.size);
    const compressible = COMPRESSIBLE.test(file.type) && file.body.length >= MIN_COMPRESS_BYTES && file.body.length <= MAX_CACHED_BYTES;
    const common = { ...headers, "content-type": file.type, "cache-control": cacheControl(found.segments), etag: file.etag, ...(compressible ? { vary: "accept-encoding" } : {}) };
    if (request.headers["if-none-match"] === file.etag) {
      response.writeHead(304, common);
      response.end();
      return;
    }
    const encoding = compressible ? chooseEncoding(headerText(request.headers["accept-encoding"])) : undefined;
    let body = file.body;
    if (encoding) {
      let encoded = file.encoded.get(encoding);
      if (!encoded) file.encoded.set(encoding, (encoded = compressors[encoding](file.body)));
      body = await encoded;
    }
    const useEncoding = encoding !== undefined && body.length < file.body.length;
    if (!useEncoding) body = file.body;
    response.writeHead(200, { ...common, ...(useEncoding ? { "content-encoding": encoding } : {}), "content-length": body.length });
    if (request.method === "HEAD") response.end();
    else response.end(body);
  }

  return (request, response) => {
    serve(request, response).catch((error: unknown) => {
      log.error({ err: error instanceof Error ? error.message : String(error), path: request.url }, "could not serve a dashboard file");
      if (!response.headersSent) {
        response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        response.end("could not read the dashboard's files; the Host's log says why\n");
      } else {
        response.destroy();
      }
    });
  };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}
