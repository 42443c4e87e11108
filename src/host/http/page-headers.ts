/**
 * Security headers of the dashboard's responses: scripts, styles and
 * connections from this origin only (WebSockets to this host included),
 * no framing (clickjacking), no content-type guessing, no referrer.
 */
import type { OutgoingHttpHeaders } from "node:http";
import type { NodeRequest } from "./connect-handler.js";

/** A host[:port] that is safe to write into a policy (no spaces, quotes or `;`). */
const SAFE_AUTHORITY = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The authority the browser used: `Host` over HTTP/1.1, `:authority` over HTTP/2. */
export function requestAuthority(request: NodeRequest): string | undefined {
  const value = request.headers[":authority"] ?? request.headers.host;
  return typeof value === "string" ? value : undefined;
}

/**
 * The Content-Security-Policy for a page served at `authority`. `'self'`
 * covers same-origin WebSockets in CSP 3, but older engines need the ws:
 * and wss: sources spelled out; an authority unsafe to echo is left out.
 * Styles allow 'unsafe-inline': xterm.js writes its grid's sizes and colours
 * into a <style> element it creates at run time (no hash can name them);
 * scripts stay 'self' only.
 */
export function contentSecurityPolicy(authority: string | undefined): string {
  const sockets = authority !== undefined && SAFE_AUTHORITY.test(authority) ? ` ws://${authority} wss://${authority}` : "";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Headers every dashboard response carries. */
export function dashboardHeaders(request: NodeRequest): OutgoingHttpHeaders {
  return {
    "content-security-policy": contentSecurityPolicy(requestAuthority(request)),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
  };
}
