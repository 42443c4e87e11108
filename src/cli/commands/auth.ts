/**
 * `hakuriver login`, `logout` and `whoami`: storing a Host's token in
 * ~/.hakuriver/credentials, removing it, and asking the Host who it names.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { WhoAmIResponseSchema } from "../../../gen/hakuriver/v1/auth_pb.js";
import { loadConfig } from "../../shared/config-file.js";
import { resolveHostAddress } from "../../shared/host-address.js";
import { roleName } from "../../shared/roles.js";
import { messageJson } from "../json-shapes.js";
import { expiryText } from "../auth-view.js";
import { UsageError } from "../cli-error.js";
import { tlsSettings, type ClientCredential } from "../client-credential.js";
import { clientContext, hostClient, type GlobalArgs } from "../context.js";
import { credentialKey, credentialsPath, removeCredential, saveCredential, type CredentialEntry } from "../credentials.js";
import { readToken } from "../read-token.js";
import { keyValues } from "../render.js";

interface LoginArgs extends GlobalArgs {
  token?: string;
  "token-file"?: string;
  "tls-fingerprint"?: string;
  ca?: string;
}

/** The TLS pins given to `login`, as stored in the entry (the CA file made absolute). */
function loginPins(args: LoginArgs): Pick<CredentialEntry, "tlsFingerprint" | "caFile"> {
  const caFile = args.ca ? resolve(args.ca) : undefined;
  if (caFile && !existsSync(caFile)) throw new UsageError(`--ca ${args.ca}: no such file`);
  const tlsFingerprint = args["tls-fingerprint"]?.trim() || undefined;
  return { ...(tlsFingerprint ? { tlsFingerprint } : {}), ...(caFile ? { caFile } : {}) };
}

async function login(args: LoginArgs): Promise<number> {
  const config = loadConfig(args.config, {});
  const hostAddress = resolveHostAddress(args.host, config);
  credentialKey(hostAddress); // A malformed address is refused before a token is asked for.
  const pins = loginPins(args);
  const token = await readToken(args, `Token for ${hostAddress}: `);
  const credential: ClientCredential = {
    token,
    source: "login",
    storedUser: "",
    tls: tlsSettings(pins.caFile || config.tlsCaFile, pins.tlsFingerprint || config.tlsFingerprint),
    credentialsFile: credentialsPath(),
  };
  const connection = hostClient(hostAddress, credential);
  let me;
  try {
    me = await connection.client.whoAmI({});
  } finally {
    connection.close();
  }
  if (me.user === "") {
    if (args.json) console.log(JSON.stringify({ host: hostAddress, authEnabled: false, stored: false }, null, 2));
    else console.log(`The Host at ${hostAddress} has auth turned off: no credential is needed (nothing stored)`);
    return 0;
  }
  saveCredential(hostAddress, { token, user: me.user, ...pins });
  const role = roleName(me.role);
  if (args.json) console.log(JSON.stringify({ host: hostAddress, user: me.user, role, tokenId: me.tokenId, credentialsFile: credential.credentialsFile }, null, 2));
  else console.log(`Logged in to ${hostAddress} as ${me.user} (${role})`);
  if (config.token !== "") console.error("note: auth.token (or HAKURIVER_AUTH_TOKEN) is set, and wins over the stored credential until it is unset");
  return 0;
}

async function logout(args: GlobalArgs): Promise<number> {
  const config = loadConfig(args.config, {});
  const hostAddress = resolveHostAddress(args.host, config);
  const removed = removeCredential(hostAddress);
  if (args.json) console.log(JSON.stringify({ host: hostAddress, removed }, null, 2));
  else console.log(removed ? `Logged out of ${hostAddress} (its entry is removed from ${credentialsPath()})` : `No credential was stored for ${hostAddress}`);
  return 0;
}

const SOURCE_TEXT: Record<ClientCredential["source"], string> = {
  setting: "auth.token / HAKURIVER_AUTH_TOKEN",
  "credentials-file": "~/.hakuriver/credentials",
  login: "given to login",
  none: "none",
};

async function whoami(args: GlobalArgs): Promise<number> {
  const ctx = clientContext(args);
  const me = await ctx.client.whoAmI({});
  if (ctx.json) {
    console.log(JSON.stringify({ host: ctx.hostAddress, credential: ctx.credential.source, ...messageJson(WhoAmIResponseSchema, me) }, null, 2));
    return 0;
  }
  if (me.user === "") {
    console.log(`The Host at ${ctx.hostAddress} has auth turned off: every caller acts as admin`);
    return 0;
  }
  console.log(
    keyValues([
      ["Host", ctx.hostAddress],
      ["User", me.user],
      ["Role", roleName(me.role)],
      ["Token", me.tokenId || "-"],
      ["Label", me.tokenLabel || "-"],
      ["Expires", expiryText(me.tokenExpiresAt)],
      ["Credential", SOURCE_TEXT[ctx.credential.source]],
    ]),
  );
  return 0;
}

/** Registers `login`, `logout` and `whoami`. */
export function authCommands(y: Argv<GlobalArgs>, run: (fn: () => Promise<number>) => Promise<void>): Argv<GlobalArgs> {
  return y
    .command(
      "login",
      "store a token for a Host: hakuriver login --host ADDR:PORT [--token-file F] (else the token is read from stdin)",
      (s) =>
        s
          .option("token-file", { type: "string", describe: "file whose first line is the token (the first admin token is admin.token in the Host's state dir)" })
          .option("token", { type: "string", describe: "the token itself (it then shows in your shell history; prefer --token-file or stdin)" })
          .option("tls-fingerprint", { type: "string", describe: "SHA-256 fingerprint of the Host's certificate to pin (as the Host prints it)" })
          .option("ca", { type: "string", describe: "PEM CA file to verify the Host's certificate against" }),
      (a) => run(() => login(a)),
    )
    .command("logout", "remove the stored token for a Host (--host, else the configured one)", (s) => s, (a) => run(() => logout(a)))
    .command("whoami", "show the user, role and token the Host sees", (s) => s, (a) => run(() => whoami(a)));
}
