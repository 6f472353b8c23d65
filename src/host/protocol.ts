/**
 * The browser host's wire format: JSON text frames, one message each, short keys because terminal bytes
 * travel this way too. The client (src/host/client) speaks the same shapes.
 *   page → host: { t: 'i', id, c: command, d: input }   invoke, answered by { t: 'r', id, r: Result }
 *                { t: 's', c: send, d: payload }         one-way (keystrokes, resizes, acks)
 *   host → page: { t: 'e', c: event, d: payload }       engine events
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
