import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { renderHostBlock, replaceKnownHosts, upsertHostBlock } from "../../src/shared/ssh-config-block.js";
import { parseHostKeys } from "../../src/runner/vps/host-keys.js";

const block = (taskId: string, extra: Partial<Parameters<typeof renderHostBlock>[0]> = {}) =>
  renderHostBlock({ taskId, user: "root", proxyCommand: "node ssh.js " + taskId, knownHostsFile: "/h/.hakuriver/known_hosts", ...extra });

describe("ssh-config block editing", () => {
  it("renders strict checking with known keys, accept-new with a comment otherwise, IdentityFile when given", () => {
    const strict = block("7", { identityFile: "/h/my key" });
    assert.match(strict, /^# BEGIN hakuriver vps-7/);
    assert.match(strict, /\n  StrictHostKeyChecking yes\n/);
    assert.match(strict, /\n  HostKeyAlias hakuriver-7\n/);
    assert.match(strict, /\n  IdentityFile "\/h\/my key"\n  IdentitiesOnly yes\n/);
    assert.doesNotMatch(strict, /StrictHostKeyChecking no/);
    const loose = block("7", { unknownHostKeyReason: "older runner" });
    assert.match(loose, /# The VPS's host key is not known \(older runner\)/);
    assert.match(loose, /StrictHostKeyChecking accept-new/);
    assert.doesNotMatch(loose, /IdentityFile/);
  });

  it("adds once, replaces in place, and leaves other content alone", () => {
    const original = "# mine\nServerAliveInterval 30\n\nHost *\n  User me\n";
    const first = upsertHostBlock(original, "7", block("7"));
    assert.equal(first.action, "added");
    // Before the first Host section, so `Host *` does not override it.
    assert.ok(first.text.indexOf("Host hakuriver-7") < first.text.indexOf("Host *"));
    assert.ok(first.text.startsWith("# mine\nServerAliveInterval 30\n"));
    const again = upsertHostBlock(first.text, "7", block("7"));
    assert.equal(again.action, "unchanged");
    assert.equal(again.text, first.text);
    const changed = upsertHostBlock(first.text, "7", block("7", { user: "alice" }));
    assert.equal(changed.action, "replaced");
    assert.equal(changed.text.split("# BEGIN hakuriver vps-7").length, 2);
    assert.match(changed.text, /User alice/);
    const other = upsertHostBlock(changed.text, "70", block("70"));
    assert.equal(other.text.split("# BEGIN hakuriver vps-7 ").length, 2);
    assert.equal(other.text.split("# BEGIN hakuriver vps-70 ").length, 2);
    assert.equal(upsertHostBlock("", "7", block("7")).text, block("7"));
  });

  it("points out an unmarked Host block of the same alias", () => {
    const result = upsertHostBlock("Host hakuriver-7\n  StrictHostKeyChecking no\n", "7", block("7"));
    assert.equal(result.strayHostLines.length, 1);
    assert.match(result.text.split("\n")[result.strayHostLines[0]! - 1]!, /^Host hakuriver-7$/);
  });

  it("replaces an alias's known_hosts lines and keeps the others", () => {
    const text = "hakuriver-7 ssh-ed25519 OLD\nhakuriver-70 ssh-ed25519 KEEP\n";
    const next = replaceKnownHosts(text, "hakuriver-7", ["ssh-ed25519 NEW", "ecdsa-sha2-nistp256 NEW2"]);
    assert.equal(next, "hakuriver-70 ssh-ed25519 KEEP\nhakuriver-7 ssh-ed25519 NEW\nhakuriver-7 ecdsa-sha2-nistp256 NEW2\n");
    assert.equal(replaceKnownHosts(next, "hakuriver-7", []), "hakuriver-70 ssh-ed25519 KEEP\n");
  });

  it("parses host public key files, dropping comments and non-key lines", () => {
    const keys = parseHostKeys("ssh-ed25519 AAAAC3Nz root@abc\nWelcome!\necdsa-sha2-nistp256 AAAAE2Vj= root@abc\nssh-ed25519 AAAAC3Nz\n");
    assert.deepEqual(keys, ["ssh-ed25519 AAAAC3Nz", "ecdsa-sha2-nistp256 AAAAE2Vj="]);
  });
});
