/**
 * The browser host's wire format: JSON text frames, one message each, short keys because terminal bytes
 * travel this way too. The client (src/host/client) speaks the same shapes.
 *   page → host: { t: 'i', id, c: command, d: input }   invoke, answered by { t: 'r', id, r: Result }
 *                { t: 's', c: send, d: payload }         one-way (keystrokes, resizes, acks)
 *   host → page: { t: 'e', c: event, d: payload }       engine events
 * except terminal output, which goes as one binary frame per 'terminal:data' event (see encodeTerminalData):
 * no JSON escaping or re-encoding of bulk bytes on either side, and the page hands the UTF-8 straight to xterm.
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

/** First byte of a binary frame carrying one 'terminal:data' event. */
export const TERMINAL_DATA_FRAME = 1

/**
 * A 'terminal:data' event as a binary frame: [1][id length: u8][chars: u32 LE][id: UTF-8][data: UTF-8].
 * `chars` is data.length (UTF-16 units), what main's back-pressure counts and the page acknowledges.
 * The batcher only emits whole characters, so each frame's bytes are valid UTF-8 on their own.
 */
export function encodeTerminalData(id: string, data: string): Buffer {
  const idLen = Buffer.byteLength(id)
  if (idLen > 255) throw new Error(`terminal id too long for a data frame (${idLen} bytes)`)
  const head = 6 + idLen
  const frame = Buffer.allocUnsafe(head + Buffer.byteLength(data))
  frame[0] = TERMINAL_DATA_FRAME
  frame[1] = idLen
  frame.writeUInt32LE(data.length, 2)
  frame.write(id, 6, 'utf8')
  frame.write(data, head, 'utf8')
  return frame
}
