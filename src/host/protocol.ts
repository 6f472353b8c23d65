/**
 * The browser host's wire format: JSON text frames, one message each, short keys because terminal bytes
 * travel this way too. The client (src/host/client) speaks the same shapes.
 *   page → host: { t: 'i', id, c: command, d: input }   invoke, answered by { t: 'r', id, r: Result }
 *                { t: 's', c: send, d: payload }         one-way (keystrokes, resizes, acks)
 *   host → page: { t: 'e', c: event, d: payload }       engine events
 * except terminal output, which goes as one binary frame per 'terminal:data' event (see encodeTerminalData):
 * no JSON escaping or re-encoding of bulk bytes on either side, and the page hands the bytes straight to xterm.
 */
export type ClientMessage = { t: 'i'; id: number; c: string; d?: unknown } | { t: 's'; c: string; d?: unknown }

export function parseClientMessage(text: string): ClientMessage | null {
  let msg: unknown
  try {
    msg = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof msg !== 'object' || msg === null) return null
  const m = msg as Record<string, unknown>
  if (typeof m.c !== 'string') return null
  if (m.t === 'i' && typeof m.id === 'number' && Number.isSafeInteger(m.id)) return { t: 'i', id: m.id, c: m.c, d: m.d }
  if (m.t === 's') return { t: 's', c: m.c, d: m.d }
  return null
}

/** The only path the page loads the client from; served by the host, so the CSP's script-src 'self' allows it. */
export const CLIENT_PATH = '/__cal/client.js'
export const CLIENT_MODULE_PATH = '/__cal/cal-client.js'
export const SOCKET_PATH = '/__cal/ws'
/** The client's socket worker (src/host/client/socket-worker.ts), served from the client's own folder. */
export const SOCKET_WORKER_PATH = '/__cal/socket-worker.js'

/** First byte of a binary frame carrying one 'terminal:data' event. */
export const TERMINAL_DATA_FRAME = 1

/**
 * A 'terminal:data' event as a binary frame: [1][id length: u8][id: UTF-8][data: the output's UTF-8 bytes].
 * The batcher never splits a character, so each frame's data is valid UTF-8 on its own.
 */
export function encodeTerminalData(id: string, data: Uint8Array): Buffer {
  const idLen = Buffer.byteLength(id)
  if (idLen > 255) throw new Error(`terminal id too long for a data frame (${idLen} bytes)`)
  const head = 2 + idLen
  const frame = Buffer.allocUnsafe(head + data.length)
  frame[0] = TERMINAL_DATA_FRAME
  frame[1] = idLen
  frame.write(id, 2, 'utf8')
  frame.set(data, head)
  return frame
}
