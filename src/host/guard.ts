import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/

/** Only this machine may connect (the server listens on 127.0.0.1 too; this is the second lock). */
export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.test(address)
}

/** The Host header must name this server by a loopback name: a DNS-rebinding page would send its own host name. */
export function isOwnHost(hostHeader: string | undefined, port: number): boolean {
  return hostHeader === `127.0.0.1:${port}` || hostHeader === `localhost:${port}`
}

/** A WebSocket must come from a page this server served (browsers always send Origin on a WebSocket). */
export function isOwnOrigin(origin: string | undefined, port: number): boolean {
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`
}

export function tokenMatches(given: string | null, expected: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Why a WebSocket upgrade is refused, or null to accept it. */
export function refuseUpgrade(req: IncomingMessage, port: number, token: string): { status: number; reason: string } | null {
  if (!isLoopback(req.socket.remoteAddress)) return { status: 403, reason: 'not a loopback address' }
  if (!isOwnHost(req.headers.host, port)) return { status: 403, reason: 'unexpected Host header' }
  if (!isOwnOrigin(req.headers.origin, port)) return { status: 403, reason: 'unexpected Origin' }
  const given = new URL(req.url ?? '/', 'http://host').searchParams.get('token')
  if (!tokenMatches(given, token)) return { status: 401, reason: 'missing or wrong token' }
  return null
}
