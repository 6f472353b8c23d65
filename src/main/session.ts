import { protocol, session } from 'electron'
import { readFile } from 'node:fs/promises'
import { APP_SCHEME, appFileForUrl, contentType } from './app-protocol'
import { CONTENT_SECURITY_POLICY, webSocketPagePolicy, withCsp } from './csp'

/** Must run before the app is ready: cal:// behaves like https (standard, secure, fetch). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }])
}

/** Serve the built renderer on cal://app/, each response with CAL's CSP header. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = appFileForUrl(rendererDir, request.url)
    if (!file) return new Response('Not found', { status: 404 })
    try {
      const body = await readFile(file)
      return new Response(body, { headers: { 'content-type': contentType(file), 'content-security-policy': CONTENT_SECURITY_POLICY } })
    } catch {
      return new Response('Not found', { status: 404 })
    }
  })
}

/** Permissions a CAL page may use: writing the clipboard (copying from a terminal). Everything else is refused. */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write'])

/**
 * `devServerUrl`: a development build's renderer server (its page may open the hot-reload WebSocket to that server,
 * and nowhere else); null in every other build, where no page of CAL's may open a WebSocket.
 */
export function lockDownSession(devServerUrl: string | null = null): void {
  const s = session.defaultSession
  // The CSP header for pages served over http (the dev server); cal:// responses carry it themselves.
  const policy = devServerUrl && URL.canParse(devServerUrl) ? webSocketPagePolicy(new URL(devServerUrl).host) : CONTENT_SECURITY_POLICY
  s.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withCsp(details.responseHeaders, policy) }))
  s.setPermissionRequestHandler((_contents, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)))
  s.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.has(permission))
}
