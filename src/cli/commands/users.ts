/**
 * `hakuriver user add|list|remove|set-role` (admin): accounts and their
 * roles. A role is checked here before any call, so a typo lists the roles.
 */
import type { Argv } from "yargs";
import { AddUserResponseSchema, RemoveUserResponseSchema, SetUserRoleResponseSchema } from "../../../gen/hakuriver/v1/auth_pb.js";
import { parseRole, roleName, ROLE_NAMES } from "../../shared/roles.js";
import { newTokenLines, userTable } from "../auth-view.js";
import { clientContext, type GlobalArgs } from "../context.js";
import { messageJson, printJson, userJson } from "../json-shapes.js";
import { ttlSecondsOf } from "../time-options.js";

interface AddArgs extends GlobalArgs {
  name: string;
  role: string;
  label?: string;
  expires?: string;
}

async function add(args: AddArgs): Promise<number> {
  const role = parseRole(String(args.role));
  const tokenTtlSeconds = ttlSecondsOf(args.expires);
  const ctx = clientContext(args);
  const response = await ctx.client.addUser({ name: String(args.name), role, tokenLabel: args.label ?? "", tokenTtlSeconds });
  if (ctx.json) {
    printJson(messageJson(AddUserResponseSchema, response));
    return 0;
  }
  const user = response.user;
  console.log(newTokenLines(`Added user ${user?.name ?? args.name} (${roleName(user?.role ?? role)})`, response.token, response.tokenInfo));
  console.log(`They log in with: hakuriver login --host ${ctx.hostAddress} (and the token on stdin)`);
  return 0;
}

async function list(args: GlobalArgs): Promise<number> {
  const ctx = clientContext(args);
  const { users } = await ctx.client.listUsers({});
  if (ctx.json) printJson(users.map(userJson));
  else console.log(users.length === 0 ? "No users." : userTable(users));
  return 0;
}

async function remove(args: GlobalArgs & { name: string }): Promise<number> {
  const ctx = clientContext(args);
  const response = await ctx.client.removeUser({ name: String(args.name) });
  if (ctx.json) printJson(messageJson(RemoveUserResponseSchema, response));
  else console.log(`Removed user ${args.name} (${response.revokedTokens} token${response.revokedTokens === 1 ? "" : "s"} revoked)`);
  return 0;
}

async function setRole(args: GlobalArgs & { name: string; role: string }): Promise<number> {
  const role = parseRole(String(args.role));
  const ctx = clientContext(args);
  const response = await ctx.client.setUserRole({ name: String(args.name), role });
  if (ctx.json) printJson(messageJson(SetUserRoleResponseSchema, response));
  else console.log(`User ${args.name} is now ${roleName(response.user?.role ?? role)}`);
  return 0;
}

/** Registers `user ...` on the root command. */
export function userCommands(y: Argv<GlobalArgs>, run: (fn: () => Promise<number>) => Promise<void>): Argv<GlobalArgs> {
  const roles = ROLE_NAMES.join("|");
  return y.command("user", "manage users and their roles (admin)", (u) =>
    u
      .command(
        "add <name>",
        `add a user with a first token: hakuriver user add NAME --role ${roles}`,
        (s) =>
          s
            .positional("name", { type: "string", demandOption: true })
            .option("role", { type: "string", demandOption: true, describe: `the user's role: ${ROLE_NAMES.join(" < ")}` })
            .option("label", { type: "string", describe: "label of the first token" })
            .option("expires", { type: "string", describe: "lifetime of the first token: 12h, 30d, 1w (default: never)" }),
        (a) => run(() => add(a)),
      )
      .command("list", "list users", (s) => s, (a) => run(() => list(a)))
      .command("remove <name>", "remove a user (their tokens are revoked at once)", (s) => s.positional("name", { type: "string", demandOption: true }), (a) => run(() => remove(a)))
      .command(
        "set-role <name> <role>",
        `change a user's role (${roles}); it applies at once`,
        (s) => s.positional("name", { type: "string", demandOption: true }).positional("role", { type: "string", demandOption: true }),
        (a) => run(() => setRole(a)),
      )
      .demandCommand(1, "name a user command: add, list, remove or set-role"),
  );
}
