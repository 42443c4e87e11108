/**
 * Bundles the `hakuriver` CLI (src/bin/hakuriver.ts) into dist/src/bin/hakuriver.js,
 * over tsc's copy, with a chunk per command file (loaded as the line needs it)
 * and source maps. Part of `npm run build`, after tsc.
 *
 * Loading one bundled file instead of ~270 ES modules is most of a client
 * command's start-up. What the bundle leaves out: `hakuriver host` and
 * `hakuriver runner` import tsc's dist/src/host and dist/src/runner (their
 * native and worker-thread packages do not survive bundling), and the
 * packages in {@link NOT_BUNDLED} are imported from node_modules.
 */
import { readdirSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const outDir = join(repo, "dist", "src", "bin");
/** Chunk files start so; a build removes the previous build's. */
const CHUNK_PREFIX = "hakuriver-";

/** Packages imported at run time, not bundled: native code, worker-thread transports, or Host/Runner only. */
const NOT_BUNDLED = ["better-sqlite3", "dockerode", "kysely", "pino", "pino-roll", "@peculiar/x509", "reflect-metadata", "ws", "ssh2"];

/** Path from the bundle to `file`, as a module URL relative to the bundle's own. */
function fromBundle(file: string): string {
  const path = relative(outDir, file).split(sep).join("/");
  return path.startsWith(".") ? path : `./${path}`;
}

/** Where `id` lives when not bundled: tsc's .js for our sources, the file itself in node_modules. */
function unbundledLocation(id: string): string {
  const inModules = id.lastIndexOf(`${sep}node_modules${sep}`);
  if (inModules >= 0) return join(repo, id.slice(inModules + 1));
  return join(repo, "dist", relative(repo, id)).replace(/\.ts$/, ".js");
}

/**
 * `import.meta.url` keeps meaning the module's own file (tsc's output, or the
 * package file), not the bundle's: yargs finds package.json and its locales by
 * it, `init` the CLI's path, `ssh-config` the ProxyCommand script.
 * (Same-line column offsets after the replacement are the only source-map drift.)
 */
function importMetaUrlOfSource(): Plugin {
  return {
    name: "hakuriver:import-meta-url-of-source",
    enforce: "pre",
    transform(code, id) {
      if (!code.includes("import.meta.url") || id.startsWith("\0")) return null;
      const url = `new URL(${JSON.stringify(fromBundle(unbundledLocation(id.split("?")[0]!)))}, import.meta.url).href`;
      return { code: code.replaceAll("import.meta.url", url), map: null };
    },
  };
}

/** The Host's and Runner's code stays tsc's (dist/src/host, dist/src/runner), imported lazily as before. */
function serversStayUnbundled(): Plugin {
  const src = join(repo, "src");
  return {
    name: "hakuriver:servers-stay-unbundled",
    enforce: "pre",
    resolveId(source, importer) {
      if (!importer || !source.startsWith(".")) return null;
      const inSrc = relative(src, resolve(dirname(importer), source)).split(sep).join("/");
      if (!/^(host|runner)\//.test(inSrc)) return null;
      return { id: fromBundle(join(repo, "dist", "src", inSrc)), external: true };
    },
  };
}

/** Removes the previous build's chunks (the bundle's directory also holds tsc's output). */
function removeOldChunks(): Plugin {
  return {
    name: "hakuriver:remove-old-chunks",
    buildStart() {
      for (const file of readdirSync(outDir)) if (file.startsWith(CHUNK_PREFIX)) rmSync(join(outDir, file));
    },
  };
}

export default defineConfig({
  root: repo,
  logLevel: "warn",
  publicDir: false,
  plugins: [removeOldChunks(), serversStayUnbundled(), importMetaUrlOfSource()],
  ssr: { noExternal: true, target: "node" },
  build: {
    ssr: join(repo, "src", "bin", "hakuriver.ts"),
    outDir,
    emptyOutDir: false,
    copyPublicDir: false,
    target: "node20",
    sourcemap: true,
    minify: true,
    reportCompressedSize: false,
    rolldownOptions: {
      external: (id) => NOT_BUNDLED.some((name) => id === name || id.startsWith(`${name}/`)),
      output: {
        format: "esm",
        keepNames: true,
        entryFileNames: "hakuriver.js",
        chunkFileNames: `${CHUNK_PREFIX}[name]-[hash].js`,
        // The client stack (protobuf, connect, the generated contract) in one file rather than a dozen.
        codeSplitting: { groups: [{ name: "client-stack", test: /[\\/](node_modules[\\/](@bufbuild|@connectrpc|smol-toml)|gen)[\\/]/ }] },
      },
    },
  },
});
