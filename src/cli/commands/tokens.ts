/**
 * `hakuriver token create|list|revoke`: API tokens (anyone's own; another
 * user's, and runner join tokens, need admin, as the Host checks).
 */
import type { Argv } from "yargs";
import { CreateTokenResponseSchema, RevokeTokenResponseSchema, TokenKind } from "../../../gen/hakuriver/v1/auth_pb.js";
import { newTokenLines, tokenTable } from "../auth-view.js";
import { UsageError } from "../cli-error.js";
import { clientContext, type GlobalArgs } from "../context.js";
import { messageJson, printJson, tokenJson } from "../json-shapes.js";
import { ttlSecondsOf } from "../time-options.js";

interface CreateArgs extends GlobalArgs {
  user?: string;
  label?: string;
  expires?: string;
  join?: boolean;
}

async function create(args: CreateArgs): Promise<number> {
  if (args.join && args.user !== undefined) throw new UsageError("a join token belongs to no user: give --join or --user, not both");
  const ttlSeconds = ttlSecondsOf(args.expires);
  const ctx = clientContext(args);
  const kind = args.join ? TokenKind.JOIN : TokenKind.USER;
  const response = await ctx.client.createToken({ kind, user: args.user ?? "", label: args.label ?? "", ttlSeconds });
  if (ctx.json) {
    printJson(messageJson(CreateTokenResponseSchema, response));
    return 0;
  }
  const owner = args.join ? "a runner join token" : `a token for ${response.tokenInfo?.user || args.user || "you"}`;
  console.log(newTokenLines(`Created ${owner}`, response.token, response.tokenInfo));
  if (args.join) console.log("Give it to a runner as auth.join_token (or in the file auth.join_token_file).");
  return 0;
}

async function list(args: GlobalArgs & { user?: string; all?: boolean }): Promise<number> {
  const ctx = clientContext(args);
  const { tokens } = await ctx.client.listTokens({ user: args.user ?? "", all: args.all === true });
  if (ctx.json) printJson(tokens.map(tokenJson));
  else console.log(tokens.length === 0 ? (args.all ? "No tokens." : "No live tokens (--all shows revoked and expired ones).") : tokenTable(tokens));
  return 0;
}

/** The id of `hkr_<id>_<secret>` when a whole token is given, else the text itself. */
export function tokenIdOf(text: string): string {
  return /^hkr_([^_\s]+)_\S+$/.exec(text.trim())?.[1] ?? text.trim();
}

async function revoke(args: GlobalArgs & { id: string }): Promise<number> {
  const ctx = clientContext(args);
  const response = await ctx.client.revokeToken({ tokenId: tokenIdOf(String(args.id)) });
  if (ctx.json) printJson(messageJson(RevokeTokenResponseSchema, response));
  else {
    const info = response.tokenInfo;
    console.log(`Revoked token ${info?.tokenId ?? args.id}${info?.user ? ` of ${info.user}` : ""}: calls with it are refused from now on`);
  }
  return 0;
}

/** Registers `token ...` on the root command. */
export function tokenCommands(y: Argv<GlobalArgs>, run: (fn: () => Promise<number>) => Promise<void>): Argv<GlobalArgs> {
  return y.command("token", "create, list and revoke API tokens", (t) =>
    t
      .command(
        "create",
        "create a token (printed once): yours, another user's (--user, admin) or a runner join token (--join, admin)",
        (s) =>
          s
            .option("user", { type: "string", describe: "whose token (default: yours)" })
            .option("label", { type: "string", describe: "a label to tell tokens apart" })
            .option("expires", { type: "string", describe: "lifetime: 12h, 30d, 1w (default: never)" })
            .option("join", { type: "boolean", describe: "a runner join token instead of a user token" }),
        (a) => run(() => create(a)),
      )
      .command(
        "list",
        "list tokens (yours; an admin sees everyone's)",
        (s) =>
          s.option("user", { type: "string", describe: "only this user's tokens" }).option("all", { type: "boolean", describe: "include revoked and expired tokens" }),
        (a) => run(() => list(a)),
      )
      .command("revoke <id>", "revoke a token by its id (streams opened with it end at once)", (s) => s.positional("id", { type: "string", demandOption: true }), (a) => run(() => revoke(a)))
      .demandCommand(1, "name a token command: create, list or revoke"),
  );
}
