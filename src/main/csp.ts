/**
 * The Content-Security-Policy for CAL's pages, sent as a response header by whoever serves them (cal:// in the app,
 * the dev server through the session, the browser host). Scripts and styles only from CAL itself; no plugins,
 * frames, forms or base rewriting. `connect-src` differs: the desktop app's page talks to main over IPC and opens no
 * WebSocket at all; the browser host's page opens exactly one, to the host that served it.
 */
function buildPolicy(connectSrc: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${connectSrc}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/** The desktop app's page (cal://app): no WebSocket, no other origin. */
export const CONTENT_SECURITY_POLICY = buildPolicy("'self'")

/** host:port as a Host header names a loopback server ("127.0.0.1:5173", "localhost:5173", "[::1]:5173"); nothing else. */
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/

/**
 * A page served over http from `host` (its Host header, "127.0.0.1:PORT"): it may open a WebSocket to that same
 * server and to nothing else. The browser host uses it; so does a development build for the dev server's own
 * hot-reload socket. A host that is not a loopback name:port gets the desktop policy, with no WebSocket at all.
 */
export function webSocketPagePolicy(host: string | undefined): string {
  if (!host || !LOOPBACK_HOST.test(host)) return CONTENT_SECURITY_POLICY
  return buildPolicy(`'self' ws://${host}`)
}

/** Replace any CSP a response carried with CAL's own (header names compared case-insensitively). */
export function withCsp(headers: Record<string, string[] | string> | undefined, policy = CONTENT_SECURITY_POLICY): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue
    out[name] = Array.isArray(value) ? value : [value]
  }
  out['Content-Security-Policy'] = [policy]
  return out
}
