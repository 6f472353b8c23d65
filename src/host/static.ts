import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { commandNames, eventNames, sendNames } from '../shared/api'
import { contentType, resolveStaticFile } from '../main/app-protocol'
import { webSocketPagePolicy } from '../main/csp'
import { CLIENT_MODULE_PATH, CLIENT_PATH, SOCKET_WORKER_PATH } from './protocol'

/** The client's entry: a tiny module (served from 'self', so the CSP allows it) handing it the contract's names. */
export function clientBootstrap(): string {
  const names = { commands: commandNames, sends: sendNames, events: eventNames }
  return `import { installCal } from '${CLIENT_MODULE_PATH}'\ninstallCal(${JSON.stringify(names)})\n`
}

/** The page's own CSP meta tag: the desktop app's policy, which allows no WebSocket (see stripMetaCsp). */
const META_CSP = /[ \t]*<meta\s[^>]*http-equiv\s*=\s*["']?content-security-policy["']?[^>]*>[ \t]*\r?\n?/gi

/**
 * index.html without its CSP meta tag, which states the desktop app's policy (no WebSocket): a page would obey both
 * that and the header, so the host's own policy, sent as a header with every response, is the only one here.
 */
export function stripMetaCsp(html: string): string {
  return html.replace(META_CSP, '')
}

/** index.html with the client script placed before the app's own module script (module scripts run in order). */
export function injectClient(html: string): string {
  const tag = `<script type="module" src="${CLIENT_PATH}"></script>`
  const at = html.search(/<script\b/i)
  if (at >= 0) return `${html.slice(0, at)}${tag}\n    ${html.slice(at)}`
  return html.replace(/<\/head>/i, `    ${tag}\n  </head>`)
}

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
}

export interface StaticFiles {
  rendererDir: string
  /** The built client module (out/host/client.js); its socket worker (socket-worker.js) is served from beside it. */
  clientFile: string
}

/** Serve the built renderer and the client; GET/HEAD only. */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, files: StaticFiles): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'text/plain', 'Method not allowed')
  // A request target that is not a URL ("//[") is the client's mistake, not the host's: 400, and nothing logged.
  if (!URL.canParse(req.url ?? '/', 'http://host')) return reply(res, 400, 'text/plain', 'Bad request')
  const pathname = new URL(req.url ?? '/', 'http://host').pathname
  try {
    if (pathname === CLIENT_PATH) return reply(res, 200, contentType('x.js'), clientBootstrap(), req.method)
    if (pathname === CLIENT_MODULE_PATH) return reply(res, 200, contentType('x.js'), await readFile(files.clientFile), req.method)
    if (pathname === SOCKET_WORKER_PATH) return reply(res, 200, contentType('x.js'), await readFile(join(dirname(files.clientFile), 'socket-worker.js')), req.method)
    const file = resolveStaticFile(files.rendererDir, pathname)
    if (!file) return reply(res, 404, 'text/plain', 'Not found')
    if (file.endsWith('.html')) {
      const html = injectClient(stripMetaCsp(await readFile(file, 'utf8')))
      return reply(res, 200, contentType(file), html, req.method, { 'cache-control': 'no-store' })
    }
    return reply(res, 200, contentType(file), await readFile(file), req.method)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR') return reply(res, 404, 'text/plain', 'Not found')
    throw err
  }
}

/** A request target for the log: its path only, since the query of the page's own URL carries the token. */
export function loggablePath(target: string | undefined): string {
  const t = target ?? '/'
  const end = t.search(/[?#]/)
  return end < 0 ? t : t.slice(0, end)
}

function reply(res: ServerResponse, status: number, type: string, body: string | Buffer, method = 'GET', extra: Record<string, string> = {}): void {
  // The page may open a WebSocket to the server it came from (the host checked the Host header names it) and no other.
  const csp = webSocketPagePolicy(res.req.headers.host)
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'content-security-policy': csp, ...securityHeaders, ...extra })
  res.end(method === 'HEAD' ? undefined : body)
}
