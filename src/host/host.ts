import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { createEngine, resolveCalHome, type Engine } from '../core/engine'
import { createFileSettingsStore } from '../core/settings/file-store'
import type { Notice } from '../shared/notify'
import { checkOpenableUrl, vmAddressesFrom } from '../main/external-url'
import { isNoticeEnabled, NoticeTracker } from '../main/notify/policy'
import { createRouter } from '../main/router'
import { refuseUpgrade, isLoopback, isOwnHost } from './guard'
import { encodeTerminalHeader, parseClientMessage, sendTerminalData, SOCKET_PATH } from './protocol'
import { loggablePath, serveStatic, type StaticFiles } from './static'

export interface BrowserHostOptions extends StaticFiles {
  /** 0 picks a free port. */
  port?: number
  calHome?: string
  tartPath?: string
  appVersion?: string
  log?: (msg: string) => void
}

export interface BrowserHost {
  url: string
  port: number
  token: string
  engine: Engine
  close(): Promise<void>
}

/** Largest frame a page may send: a pasted block of terminal input (1 MiB) plus its envelope. */
const MAX_FRAME = 2 * 1024 * 1024
/**
 * A page this far behind in reading (frozen, or a tab the browser stopped) is disconnected rather than buffered
 * for without limit: terminal flow control counts acknowledgements from any page, so a flood acknowledged by
 * another page would otherwise pile up here. The page reconnects by itself once it reads again.
 */
const MAX_BEHIND = 16 * 1024 * 1024

/**
 * window.cal for a browser: serves the built renderer on 127.0.0.1 and carries the contract over one WebSocket
 * per page, through the same router and engine as the desktop app. Notices are always toasts here.
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const log = options.log ?? ((msg: string) => console.error(`[cal host] ${msg}`))
  const token = randomBytes(24).toString('base64url')
  const calHome = resolveCalHome(options.calHome)
  const settings = createFileSettingsStore(calHome)
  const engine = createEngine({ calHome, tartPath: options.tartPath, appVersion: options.appVersion, settings, watchVmsMs: 3000, log })
  const handlers = engine.handlers
  // A browser page opens web links itself (src/host/client); the host checks the link as the app would, and says so.
  const vmAddresses = vmAddressesFrom(handlers)
  handlers['shell:openExternal'] = async ({ url }) => {
    log(`open external ${(await checkOpenableUrl(url, vmAddresses)).toString()} (the page opens it)`)
    return { ok: true }
  }
  const router = createRouter(handlers, engine.sends, log)
  const sockets = new Set<WebSocket>()
  /** Set once the host closes: its sockets then end on purpose. */
  let closed: Promise<void> | null = null

  /** The sockets a message may go to now; one too far behind is closed (see MAX_BEHIND). */
  const open = () =>
    [...sockets].filter((ws) => {
      if (ws.readyState !== ws.OPEN) return false
      if (ws.bufferedAmount <= MAX_BEHIND) return true
      log(`closed a page's socket: it fell ${Math.round(ws.bufferedAmount / 1048576)} MiB behind`)
      ws.close(1013, 'too far behind')
      return false
    })
  engine.events.onAny((event, payload) => {
    if (sockets.size === 0) return
    if (event === 'terminal:data') {
      const { id, data } = payload as { id: string; data: Uint8Array }
      const header = encodeTerminalHeader(id)
      for (const ws of open()) sendTerminalData(ws, header, data)
      return
    }
    const text = JSON.stringify({ t: 'e', c: event, d: payload })
    for (const ws of open()) ws.send(text)
  })
  const tracker = new NoticeTracker()
  const notify = (notice: Notice | null) => {
    if (notice && isNoticeEnabled(notice, settings.get().settings)) engine.events.emit('notice', notice)
  }
  engine.events.on('vms:changed', (vms) => tracker.onVms(vms).forEach(notify))
  engine.events.on('tasks:updated', (task) => notify(tracker.onTask(task)))
  engine.events.on('terminal:bell', (bell) => notify(tracker.onBell(bell)))
  void handlers['vms:list']({}).then((vms) => tracker.onVms(vms), () => {})

  let port = 0
  const server: Server = createServer((req, res) => {
    if (!isLoopback(req.socket.remoteAddress) || !isOwnHost(req.headers.host, port)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden')
      return
    }
    serveStatic(req, res, options).catch((err: unknown) => {
      log(`serving ${loggablePath(req.url)}: ${String(err)}`)
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end('Internal error')
    })
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME, perMessageDeflate: false })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A request target that is not a URL ("//[") would throw here and take the host down: refuse it like any other.
    const path = URL.canParse(req.url ?? '/', 'http://host') ? new URL(req.url ?? '/', 'http://host').pathname : null
    const refused = path === SOCKET_PATH ? refuseUpgrade(req, port, token) : { status: 404, reason: path === null ? 'not a URL' : 'no such socket' }
    if (refused) {
      log(`refused a WebSocket from ${req.socket.remoteAddress}: ${refused.reason}`)
      socket.end(`HTTP/1.1 ${refused.status} ${refused.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws))
  })

  function attach(ws: WebSocket): void {
    sockets.add(ws)
    const since = Date.now()
    ws.on('close', (code, reason) => {
      sockets.delete(ws)
      // Rare and otherwise invisible (the page just says it reconnects): say how it ended, for whoever reads the log.
      if (!closed) log(`a page's socket closed after ${Math.round((Date.now() - since) / 1000)} s (code ${code}${reason.length ? `, ${reason.toString().slice(0, 120)}` : ''})`)
    })
    ws.on('error', (err) => log(`socket error: ${err.message}`))
    ws.on('message', (data, isBinary) => {
      const msg = isBinary ? null : parseClientMessage(data.toString())
      if (!msg) return
      if (msg.t === 's') {
        router.send(msg.c, msg.d)
        return
      }
      void router.invoke(msg.c, msg.d).then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'r', id: msg.id, r: result }))
      })
    })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    engine,
    close: () =>
      (closed ??= (async () => {
        for (const ws of sockets) ws.terminate()
        wss.close()
        const done = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeAllConnections()
        await done
        await engine.dispose()
      })()),
  }
}
