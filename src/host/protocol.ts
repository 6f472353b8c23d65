/**
 * The browser host's wire format: JSON text frames, one message each, short keys because terminal bytes
 * travel this way too. The client (src/host/client) speaks the same shapes.
 *   page → host: { t: 'i', id, c: command, d: input }   invoke, answered by { t: 'r', id, r: Result }
 *                { t: 's', c: send, d: payload }         one-way (keystrokes, resizes, acks)
 *   host → page: { t: 'e', c: event, d: payload }       engine events
 * except terminal output, which goes as one binary message per 'terminal:data' event (see encodeTerminalHeader):
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
 * A 'terminal:data' event is one binary WebSocket message: [1][id length: u8][id: UTF-8][data: the output's
 * UTF-8 bytes]. The batcher never splits a character, so the data is valid UTF-8 on its own.
 *
 * The host sends it as two fragments of one message, this header and then the output bytes as they are
 * (sendTerminalData), so no 64 KiB frame is built and thrown away per message: during a flood those copies were
 * most of main's garbage, and its memory grew by 45 MB instead of 30.
 */
export function encodeTerminalHeader(id: string): Buffer {
  const idLen = Buffer.byteLength(id)
  if (idLen > 255) throw new Error(`terminal id too long for a data frame (${idLen} bytes)`)
  const head = Buffer.allocUnsafe(2 + idLen)
  head[0] = TERMINAL_DATA_FRAME
  head[1] = idLen
  head.write(id, 2, 'utf8')
  return head
}

/** The part of a WebSocket this module needs: ws's send with its fragment option. */
interface FragmentSocket {
  send(data: Uint8Array, options: { binary: boolean; fin: boolean }): void
}

/** Send one 'terminal:data' event as one message in two fragments (header, then the bytes, not copied). */
export function sendTerminalData(ws: FragmentSocket, header: Buffer, data: Uint8Array): void {
  ws.send(header, { binary: true, fin: false })
  ws.send(data, { binary: true, fin: true })
}
