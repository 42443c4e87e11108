/**
 * End to end, users and tokens as people use them from the CLI, against a
 * real Host and runner: no credential refused with the fix, login from the
 * Host's admin.token, a user added and logging in on their own HOME, their
 * own task list, a role typo refused, a revoked token refused, logout and
 * the audit trail. Every CLI call here runs with HAKURIVER_AUTH_TOKEN empty
 * and HOME set to a person's temp dir, so only their credentials file counts.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { TestCluster, runCli, submittedIds, type CliResult } from "../helpers/cluster.js";

const cluster = new TestCluster();
const homes = { admin: join(cluster.dir, "home-admin"), alice: join(cluster.dir, "home-alice"), nobody: join(cluster.dir, "home-nobody") };
for (const home of Object.values(homes)) mkdirSync(home, { recursive: true });

/** The CLI as `who` types it: their HOME, no token in the environment. */
function as(who: keyof typeof homes, args: string[], input?: string): Promise<CliResult> {
  return runCli(args, { HAKURIVER_HOST: cluster.address, HAKURIVER_AUTH_TOKEN: "", HOME: homes[who] }, input);
}

const credentialsOf = (who: keyof typeof homes) => join(homes[who], ".hakuriver", "credentials");
const hostsIn = (who: keyof typeof homes) => JSON.parse(readFileSync(credentialsOf(who), "utf8")).hosts as Record<string, { token: string; user: string }>;
const STACK_LINE = /^\s+at /m;

let aliceToken = "";
let aliceTaskId = "";
let adminTaskId = "";

before(async () => {
  await cluster.startHost();
  await cluster.startRunner("authnode");
});
after(() => cluster.cleanup());

test("a fresh Host refuses a caller with no credential, and the CLI says how to log in", async () => {
  const result = await as("nobody", ["nodes"]);
  assert.notEqual(result.code, 0);
  assert.match(
    result.stderr,
    new RegExp(`no credential for ${cluster.address.replace(/\./g, "\\.")}: run hakuriver login --host ${cluster.address.replace(/\./g, "\\.")} \\(the admin token is in the Host's state dir, admin\\.token\\)`),
  );
  assert.doesNotMatch(result.stderr, STACK_LINE);
});

test("login with a token the Host refuses stores nothing and exits non-zero", async () => {
  const result = await as("nobody", ["login", "--host", cluster.address, "--token", "hkr_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /unauthenticated/);
  assert.doesNotMatch(result.stderr, STACK_LINE);
  assert.equal(existsSync(credentialsOf("nobody")), false);
});

test("login with the Host's admin.token, then whoami says admin; the credentials file is 0600", async () => {
  const login = await as("admin", ["login", "--host", cluster.address, "--token-file", join(cluster.dir, "admin.token")]);
  assert.equal(login.code, 0, login.stderr);
  assert.equal(login.stdout.trim(), `Logged in to ${cluster.address} as admin (admin)`);
  assert.equal(statSync(credentialsOf("admin")).mode & 0o777, 0o600);
  assert.equal(statSync(join(homes.admin, ".hakuriver")).mode & 0o777, 0o700);
  assert.equal(hostsIn("admin")[cluster.address]?.user, "admin");
  const whoami = await as("admin", ["whoami"]);
  assert.equal(whoami.code, 0, whoami.stderr);
  assert.match(whoami.stdout, /^User:\s+admin$/m);
  assert.match(whoami.stdout, /^Role:\s+admin$/m);
  // The same Host written as a URL finds the same entry.
  const viaUrl = await as("admin", ["whoami", "--json", "--host", `http://${cluster.address}`]);
  assert.equal(viaUrl.code, 0, viaUrl.stderr);
  assert.equal(JSON.parse(viaUrl.stdout).user, "admin");
});

test("user add prints the new token once; the user logs in with it on stdin, on their own HOME", async () => {
  const added = await as("admin", ["user", "add", "alice", "--role", "user", "--label", "laptop", "--expires", "30d"]);
  assert.equal(added.code, 0, added.stderr);
  aliceToken = /^(hkr_\S+)$/m.exec(added.stdout)?.[1] ?? "";
  assert.notEqual(aliceToken, "", added.stdout);
  assert.match(added.stdout, /shown only this once/);
  const login = await as("alice", ["login", "--host", cluster.address], `${aliceToken}\n`);
  assert.equal(login.code, 0, login.stderr);
  assert.equal(login.stdout.trim(), `Logged in to ${cluster.address} as alice (user)`);
  const users = await as("admin", ["user", "list"]);
  assert.match(users.stdout, /^alice\s+user\s+1\s/m);
});

test("alice's submissions carry her name; task list --mine shows only hers", async () => {
  const hers = await as("alice", ["task", "submit", "--json", "--wait", "--container", "NULL", "--", "echo", "from-alice"]);
  assert.equal(hers.code, 0, hers.stderr);
  aliceTaskId = submittedIds(hers.stdout)[0]!;
  const admins = await as("admin", ["task", "submit", "--json", "--wait", "--container", "NULL", "--", "echo", "from-admin"]);
  assert.equal(admins.code, 0, admins.stderr);
  adminTaskId = submittedIds(admins.stdout)[0]!;

  const mine = await as("alice", ["task", "list", "--mine", "--json"]);
  assert.equal(mine.code, 0, mine.stderr);
  const listed = JSON.parse(mine.stdout) as { taskId: string; owner?: string }[];
  assert.deepEqual(listed.map((t) => t.taskId), [aliceTaskId]);
  assert.ok(listed.every((t) => t.owner === "alice"));

  const table = await as("alice", ["task", "list", "--mine"]);
  assert.match(table.stdout, /^ID\s+STATUS\s+NODE\s+OWNER\s/m);
  assert.match(table.stdout, new RegExp(`^${aliceTaskId}\\s+completed\\s+authnode\\s+alice\\s`, "m"));
  assert.doesNotMatch(table.stdout, new RegExp(`^${adminTaskId}\\s`, "m"));

  const byUser = await as("admin", ["task", "list", "--user", "alice", "--json"]);
  assert.deepEqual((JSON.parse(byUser.stdout) as { taskId: string }[]).map((t) => t.taskId), [aliceTaskId]);
  const status = await as("admin", ["task", "status", aliceTaskId]);
  assert.match(status.stdout, /^Owner:\s+alice$/m);
});

test("a role that does not exist is refused before any call, with the list of roles", async () => {
  const result = await as("admin", ["user", "add", "bob", "--role", "nosuch"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /"nosuch" is not a role: use one of viewer, user, operator, admin/);
  assert.doesNotMatch(result.stderr, STACK_LINE);
  const users = await as("admin", ["user", "list", "--json"]);
  assert.ok(!(JSON.parse(users.stdout) as { name: string }[]).some((u) => u.name === "bob"));
});

test("token revoke ends alice's token: her next call fails UNAUTHENTICATED and says which credential", async () => {
  const me = JSON.parse((await as("alice", ["whoami", "--json"])).stdout) as { tokenId: string; tokenLabel: string };
  assert.equal(me.tokenLabel, "laptop");
  assert.ok(aliceToken.startsWith(`hkr_${me.tokenId}_`));
  const tokens = await as("admin", ["token", "list", "--user", "alice"]);
  assert.match(tokens.stdout, new RegExp(`^${me.tokenId}\\s+user\\s+alice\\s+laptop\\s+live\\s`, "m"));
  const revoked = await as("admin", ["token", "revoke", me.tokenId]);
  assert.equal(revoked.code, 0, revoked.stderr);
  const refused = await as("alice", ["task", "list", "--mine"]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^error \(unauthenticated\): .*the token stored for .* run hakuriver login/m);
  assert.doesNotMatch(refused.stderr, STACK_LINE);
  const all = await as("admin", ["token", "list", "--user", "alice", "--all"]);
  assert.match(all.stdout, new RegExp(`^${me.tokenId}\\s+user\\s+alice\\s+laptop\\s+revoked\\s`, "m"));
});

test("logout removes the Host's entry; the next call asks for a login again", async () => {
  const result = await as("alice", ["logout", "--host", cluster.address]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(hostsIn("alice"), {});
  assert.equal(statSync(credentialsOf("alice")).mode & 0o777, 0o600);
  const after = await as("alice", ["whoami"]);
  assert.notEqual(after.code, 0);
  assert.match(after.stderr, /no credential for .*: run hakuriver login --host/);
  // The admin's own file, in another HOME, is untouched.
  assert.equal(hostsIn("admin")[cluster.address]?.user, "admin");
});

test("audit lists the AddUser and SubmitTask calls just made, with who made them", async () => {
  const json = await as("admin", ["audit", "--since", "10m", "--json"]);
  assert.equal(json.code, 0, json.stderr);
  const events = JSON.parse(json.stdout) as { actor: string; action: string; target?: string; outcome: string }[];
  assert.ok(events.some((e) => e.actor === "admin" && e.action === "AddUser" && e.target === "alice" && e.outcome === "ok"), json.stdout);
  assert.ok(events.some((e) => e.actor === "alice" && e.action === "SubmitTask" && e.outcome === "ok"), json.stdout);
  assert.ok(events.some((e) => e.actor === "admin" && e.action === "RevokeToken"), json.stdout);
  const table = await as("admin", ["audit", "--user", "alice"]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^TIME\s+ACTOR\s+ACTION\s+TARGET\s+OUTCOME\s+ADDRESS\s+DETAIL$/m);
  assert.match(table.stdout, /\salice\s+SubmitTask\s+batch \S+\s+ok\s+\S+\s+echo from-alice/);
  assert.doesNotMatch(table.stdout, /\sadmin\s+AddUser\s/);
});
