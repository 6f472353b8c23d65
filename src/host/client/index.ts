/**
 * window.cal for a page served by the browser host: the same shape as the Electron preload (the contract's
 * named verbs, `on(event, fn)` returning a disposer, Result envelopes), carried over one loopback WebSocket that a
 * worker owns (socket-worker.ts). It imports nothing at run time: the channel names come from the host, which
 * takes them from the contract.
 */
import type { FromWorker, ToWorker } from './socket-worker'

export interface CalNames {
  commands: string[]
  sends: string[]
  events: string[]
}

type Result = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string; hint: string; details?: Record<string, unknown> } }
type Listener = (payload: unknown) => void

const TOKEN_KEY = 'cal-host-token'
const SOCKET_PATH = '/__cal/ws'
const SOCKET_WORKER_PATH = '/__cal/socket-worker.js' // src/host/protocol.ts

function lost(everConnected: boolean): Result {
  if (everConnected) {
    return {
      ok: false,
      error: {
        code: 'INTERNAL',
        message: 'Lost the connection to the CAL browser host.',
        hint: 'Check that the host is still running: the page reconnects by itself when it is back. A restarted host has a new token, so open the URL it prints.',
        // The page's banner already says so (app:link): the renderer shows no toast per call that failed with it.
        details: { linkLost: true },
      },
    }
  }
  return {
    ok: false,
    error: {
      code: 'FORBIDDEN',
      message: 'Could not connect to the CAL browser host.',
      hint: 'Open the exact URL the host printed (it carries this run\'s token) and check that the host is still running.',
    },
  }
}

const TERMINAL_DATA_FRAME = 1 // src/host/protocol.ts (this file imports nothing at run time)
const utf8 = new TextDecoder()

/** A 'terminal:data' payload, { id, data: the output's UTF-8 bytes }, from a binary frame (src/host/protocol.ts). */
function decodeTerminalData(buf: ArrayBuffer): { id: string; data: Uint8Array } | null {
  const u8 = new Uint8Array(buf)
  if (u8.length < 2 || u8[0] !== TERMINAL_DATA_FRAME) return null
  const idLen = u8[1]!
  if (u8.length < 2 + idLen) return null
  return { id: utf8.decode(u8.subarray(2, 2 + idLen)), data: u8.subarray(2 + idLen) }
}

/**
 * This run's token: taken from the URL the host printed, then kept in this tab's sessionStorage (so a reload still
 * connects) and removed from the address bar at once, so that it is not in the browser's history, a screenshot, or
 * a URL copied from the address bar. sessionStorage rather than a cookie: a cookie for 127.0.0.1 would be sent to
 * every server on any port of this machine, and hosts running side by side would overwrite each other's.
 */
function takeToken(): string {
  const params = new URLSearchParams(location.search)
  const fromUrl = params.get('token')
  if (fromUrl === null) return sessionStorage.getItem(TOKEN_KEY) ?? ''
  if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl)
  params.delete('token')
  const query = params.toString()
  history.replaceState(history.state, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`)
  return fromUrl
}

export function installCal(names: CalNames): void {
  const token = takeToken()

  const pending = new Map<number, (r: Result) => void>()
  const listeners = new Map<string, Set<Listener>>()
  let outbox: string[] = []
  let nextId = 1
  let retryMs = 250
  let everConnected = false

  const emit = (event: string, payload: unknown) => {
    for (const fn of listeners.get(event) ?? []) {
      try {
        fn(payload)
      } catch (err) {
        console.error(`CAL: a listener for ${event} threw`, err)
      }
    }
  }

  // The socket lives in a worker (see socket-worker.ts); this side keeps the policy: the outbox before the first
  // open, failing calls in flight when the connection is lost, and reconnecting with backoff.
  const worker = new Worker(SOCKET_WORKER_PATH, { type: 'module', name: 'cal-socket' })
  const toWorker = (msg: ToWorker) => worker.postMessage(msg)
  const url = `ws://${location.host}${SOCKET_PATH}?token=${encodeURIComponent(token)}`
  let open = false

  const receive = (data: string | ArrayBuffer) => {
    if (typeof data !== 'string') {
      const output = decodeTerminalData(data)
      if (output) emit('terminal:data', output)
      return
    }
    const msg = JSON.parse(data) as { t: 'r'; id: number; r: Result } | { t: 'e'; c: string; d: unknown }
    if (msg.t === 'r') {
      pending.get(msg.id)?.(msg.r)
      pending.delete(msg.id)
    } else if (msg.t === 'e') {
      emit(msg.c, msg.d)
    }
  }

  // Answers to calls in flight (or queued) will never come: fail them now rather than leave the UI waiting,
  // and drop what was queued so nothing runs twice after a reconnect.
  const failPending = () => {
    open = false
    outbox = []
    for (const [id, resolve] of pending) {
      resolve(lost(everConnected))
      pending.delete(id)
    }
  }

  // The page hears of the break and of the way back (the contract's 'app:link'): it says so, and reloads its state
  // once connected again, since every event sent meanwhile went nowhere.
  let linkDown = false
  const lostConnection = () => {
    if (open && !linkDown) {
      linkDown = true
      emit('app:link', { connected: false })
    }
    failPending()
    setTimeout(() => toWorker({ t: 'connect', url }), retryMs)
    retryMs = Math.min(retryMs * 2, 5000)
  }

  // A worker that cannot load or crashes takes the connection with it: say so instead of waiting forever.
  let workerFailed = false
  worker.onerror = (ev) => {
    console.error(`CAL: the browser host's socket worker failed: ${ev.message || 'it could not be loaded'}`)
    workerFailed = true
    failPending()
  }

  worker.onmessage = ({ data: msg }: MessageEvent<FromWorker>) => {
    if (msg.t === 'open') {
      open = true
      retryMs = 250
      everConnected = true
      const queued = outbox
      outbox = []
      for (const text of queued) toWorker({ t: 'send', text })
      if (linkDown) {
        linkDown = false
        emit('app:link', { connected: true })
      }
      return
    }
    try {
      for (const item of msg.items) receive(item)
    } finally {
      // Always ask for the next batch, even if a frame here was malformed.
      if (msg.closed) lostConnection()
      toWorker({ t: 'ready' })
    }
  }

  // Before the first connection, messages wait for it (the page sends its first calls while the socket opens).
  // Once connected, a lost connection fails calls at once rather than holding them until the next reconnect
  // attempt fails (up to 5 s later); one-way messages (keystrokes, resizes, acks) sent meanwhile are dropped.
  const post = (text: string) => {
    if (open) toWorker({ t: 'send', text })
    else if (!everConnected) outbox.push(text)
  }
  const unreachable = () => workerFailed || (everConnected && !open)

  const api: Record<string, Record<string, unknown>> = {}
  const ns = (name: string) => (api[name] ??= {})
  const split = (channel: string) => {
    const i = channel.indexOf(':')
    return [channel.slice(0, i), channel.slice(i + 1)] as const
  }
  for (const channel of names.commands) {
    const [n, verb] = split(channel)
    ns(n)[verb] = (input?: unknown) =>
      new Promise<Result>((resolve) => {
        if (unreachable()) return resolve(lost(everConnected))
        const id = nextId++
        pending.set(id, resolve)
        post(JSON.stringify({ t: 'i', id, c: channel, d: input ?? {} }))
      })
  }
  // The app opens a link through the OS; a page in a browser opens a web link itself, once the host has checked it.
  const checkLink = api.shell?.openExternal as ((input: { url: string }) => Promise<Result>) | undefined
  if (checkLink) {
    api.shell!.openExternal = async (input: { url: string }) => {
      const r = await checkLink(input)
      if (r.ok && /^https?:/i.test(input.url)) window.open(input.url, '_blank', 'noopener,noreferrer')
      return r
    }
  }
  for (const channel of names.sends) {
    const [n, verb] = split(channel)
    ns(n)[verb] = (payload: unknown) => post(JSON.stringify({ t: 's', c: channel, d: payload }))
  }
  const allowed = new Set(names.events)
  const cal: Record<string, unknown> = {}
  for (const [n, verbs] of Object.entries(api)) cal[n] = Object.freeze(verbs)
  cal.on = (event: string, listener: Listener): (() => void) => {
    if (!allowed.has(event)) throw new Error(`Unknown CAL event: ${event}`)
    let set = listeners.get(event)
    if (!set) listeners.set(event, (set = new Set()))
    set.add(listener)
    return () => set.delete(listener)
  }
  Object.defineProperty(window, 'cal', { value: Object.freeze(cal), writable: false, configurable: false, enumerable: true })
  toWorker({ t: 'connect', url })
}
