/**
 * The pure parts of the one-port server: telling HTTP/2 from HTTP/1.1 by the
 * first bytes, resolving a dashboard path, picking an encoding, checking a
 * WebSocket's origin, and the page's content security policy.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { classifyPrefix, HTTP2_PREFACE } from "../../src/host/http/protocol-sniff.js";
import { chooseEncoding, resolveRequestPath } from "../../src/host/http/static-files.js";
import { contentSecurityPolicy } from "../../src/host/http/page-headers.js";
import { originAllowed } from "../../src/host/http/shell-websocket.js";

test("the HTTP/2 preface is told from HTTP/1.1 as soon as the bytes allow", () => {
  assert.equal(classifyPrefix(Buffer.alloc(0)), "undecided");
  for (let n = 1; n < HTTP2_PREFACE.length; n++) assert.equal(classifyPrefix(HTTP2_PREFACE.subarray(0, n)), "undecided", `${n} bytes of the preface`);
  assert.equal(classifyPrefix(HTTP2_PREFACE), "http2");
  assert.equal(classifyPrefix(Buffer.concat([HTTP2_PREFACE, Buffer.from([0, 0, 0, 4])])), "http2", "the preface followed by a SETTINGS frame");
  assert.equal(classifyPrefix(Buffer.from("G")), "http1", "GET is decided on its first byte");
  assert.equal(classifyPrefix(Buffer.from("PO")), "http1", "POST shares only its P with PRI");
  assert.equal(classifyPrefix(Buffer.from("PRI * HTTP/1.1\r\n")), "http1");
});

test("dashboard paths: segments, or 400 for impossible bytes, 404 for .. and dot files", () => {
  assert.deepEqual(resolveRequestPath("/"), { segments: [] });
  assert.deepEqual(resolveRequestPath("/tasks/123?x=1"), { segments: ["tasks", "123"] });
  assert.deepEqual(resolveRequestPath("/assets/app%20x.js"), { segments: ["assets", "app x.js"] });
  assert.deepEqual(resolveRequestPath("/../etc/passwd"), { status: 404 });
  assert.deepEqual(resolveRequestPath("/assets/%2e%2e/%2e%2e/etc/passwd"), { status: 404 });
  assert.deepEqual(resolveRequestPath("/assets/..%2f..%2fetc%2fpasswd"), { status: 404 });
  assert.deepEqual(resolveRequestPath("/.git/config"), { status: 404 });
  assert.deepEqual(resolveRequestPath("/index.html%00.js"), { status: 400 });
  assert.deepEqual(resolveRequestPath("/a%5c..%5cb"), { status: 400 });
  assert.deepEqual(resolveRequestPath("/%E0%A4%A"), { status: 400 }, "malformed percent-encoding");
  assert.deepEqual(resolveRequestPath("*"), { status: 400 });
});

test("the encoding prefers brotli, then gzip, and respects q=0", () => {
  assert.equal(chooseEncoding("gzip, deflate, br"), "br");
  assert.equal(chooseEncoding("gzip"), "gzip");
  assert.equal(chooseEncoding("br;q=0, gzip;q=0.5"), "gzip");
  assert.equal(chooseEncoding("identity"), undefined);
  assert.equal(chooseEncoding(undefined), undefined);
});

test("a WebSocket's origin must be this Host's scheme, host and port", () => {
  assert.equal(originAllowed("http://127.0.0.1:8000", "127.0.0.1:8000", false), true);
  assert.equal(originAllowed("http://host.example", "host.example:80", false), true, "the default port may be spelt or not");
  assert.equal(originAllowed("https://127.0.0.1:8000", "127.0.0.1:8000", true), true);
  assert.equal(originAllowed("http://127.0.0.1:8000", "127.0.0.1:8000", true), false, "an http page on a TLS port");
  assert.equal(originAllowed("http://evil.example", "127.0.0.1:8000", false), false);
  assert.equal(originAllowed("http://127.0.0.1:8001", "127.0.0.1:8000", false), false);
  assert.equal(originAllowed("null", "127.0.0.1:8000", false), false, "a sandboxed or file: page");
  assert.equal(originAllowed(undefined, "127.0.0.1:8000", false), true, "no Origin: not a browser");
});

test("the page's policy allows this origin only, and never echoes an unsafe Host", () => {
  const policy = contentSecurityPolicy("127.0.0.1:8000");
  assert.match(policy, /script-src 'self';/);
  assert.match(policy, /style-src 'self' 'unsafe-inline';/, "xterm's run-time <style> element");
  assert.match(policy, /connect-src 'self' ws:\/\/127\.0\.0\.1:8000 wss:\/\/127\.0\.0\.1:8000;/);
  assert.match(policy, /frame-ancestors 'none'/);
  assert.match(contentSecurityPolicy("x; script-src *"), /connect-src 'self';/);
  assert.doesNotMatch(contentSecurityPolicy("x; script-src *"), /script-src \*/);
});
