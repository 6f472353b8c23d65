/**
 * window.cal for a page served by the browser host: the same shape as the Electron preload (the contract's
 * named verbs, `on(event, fn)` returning a disposer, Result envelopes), carried over one loopback WebSocket.
 * It imports nothing at run time: the channel names come from the host, which takes them from the contract.
 */
export interface CalNames {
  commands: string[]
  sends: string[]
  events: string[]
}

type Result = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string; hint: string } }
type Listener = (payload: unknown) => void

const TOKEN_KEY = 'cal-host-token'
const SOCKET_PATH = '/__cal/ws'

function lost(everConnected: boolean): Result {
  if (everConnected) {
    return { ok: false, error: { code: 'INTERNAL', message: 'Lost the connection to the CAL browser host.', hint: 'Check that the host is still running, then reload the page.' } }
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

/**
 * A 'terminal:data' payload from a binary frame (layout in src/host/protocol.ts). It has the contract's
 * `{ id, data }` (data decoded on first read) plus `bytes` (the UTF-8 itself) and `chars` (data.length,
 * what main's back-pressure counts), so the terminal registry can hand xterm the bytes without a string copy.
 */
class TerminalOutput {
  private text: string | null = null
  constructor(
    readonly id: string,
    readonly bytes: Uint8Array,
    readonly chars: number,
  ) {}
  get data(): string {
    return (this.text ??= utf8.decode(this.bytes))
  }
}

function decodeTerminalData(buf: ArrayBuffer): TerminalOutput | null {
  const u8 = new Uint8Array(buf)
  if (u8.length < 6 || u8[0] !== TERMINAL_DATA_FRAME) return null
  const idLen = u8[1]!
  const chars = new DataView(buf).getUint32(2, true)
  return new TerminalOutput(utf8.decode(u8.subarray(6, 6 + idLen)), u8.subarray(6 + idLen), chars)
}

export function installCal(names: CalNames): void {
  const fromUrl = new URLSearchParams(location.search).get('token')
  if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl)
  const token = fromUrl ?? sessionStorage.getItem(TOKEN_KEY) ?? ''

  const pending = new Map<number, (r: Result) => void>()
  const listeners = new Map<string, Set<Listener>>()
  let outbox: string[] = []
  let nextId = 1
  let socket: WebSocket | null = null
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

  const connect = () => {
    const ws = new WebSocket(`ws://${location.host}${SOCKET_PATH}?token=${encodeURIComponent(token)}`)
    socket = ws
    ws.onopen = () => {
      retryMs = 250
      everConnected = true
      const queued = outbox
      outbox = []
      for (const text of queued) ws.send(text)
    }
    ws.binaryType = 'arraybuffer'
    ws.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => {
      if (typeof ev.data !== 'string') {
        const output = decodeTerminalData(ev.data)
        if (output) emit('terminal:data', output)
        return
      }
      const msg = JSON.parse(ev.data) as { t: 'r'; id: number; r: Result } | { t: 'e'; c: string; d: unknown }
      if (msg.t === 'r') {
        pending.get(msg.id)?.(msg.r)
        pending.delete(msg.id)
      } else if (msg.t === 'e') {
        emit(msg.c, msg.d)
      }
    }
    ws.onclose = () => {
      if (socket !== ws) return
      socket = null
      // Answers to calls in flight (or queued) will never come: fail them now rather than leave the UI waiting,
      // and drop what was queued so nothing runs twice after a reconnect.
      outbox = []
      for (const [id, resolve] of pending) {
        resolve(lost(everConnected))
        pending.delete(id)
      }
      setTimeout(connect, retryMs)
      retryMs = Math.min(retryMs * 2, 5000)
    }
  }

  const post = (text: string) => {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(text)
    else outbox.push(text)
  }

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
        const id = nextId++
        pending.set(id, resolve)
        post(JSON.stringify({ t: 'i', id, c: channel, d: input ?? {} }))
      })
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
  connect()
}
