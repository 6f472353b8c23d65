/**
 * The Content-Security-Policy for CAL's pages, sent as a response header (the page's meta tag says the same).
 * Scripts and styles only from CAL itself; no plugins, frames, forms or base rewriting.
 * `connect-src` allows the browser host's loopback WebSocket; the desktop app never opens one.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws://127.0.0.1:*",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

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
