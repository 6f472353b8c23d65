import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { SshPool } from '../../src/core/ssh/pool'
import { ensureClientKey, generateEd25519 } from '../../src/core/ssh/keys'
import { rejection } from './helpers'

/**
 * A VM whose SSH port accepts connections and then says nothing (a guest that hangs or is frozen, sshd that is slow
 * to start): the TCP connection opens, the SSH handshake never comes. It closes its side when CAL closes its own.
 */
let silent: Server
let port = 0
const sockets = new Set<Socket>()
const dirs: string[] = []
const pools: SshPool[] = []

beforeAll(async () => {
  silent = createServer((s) => {
    sockets.add(s)
    s.on('end', () => s.destroy())
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()))
  port = (silent.address() as { port: number }).port
})

afterEach(async () => {
  for (const p of pools.splice(0)) await p.dispose()
  for (const s of sockets) s.destroy()
})

afterAll(() => {
  silent.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cal-pool-faults-'))
  dirs.push(d)
  return d
}

function pool(calHome = tempDir(), connectTimeoutMs = 3_000, target = () => port): SshPool {
  const p = new SshPool({
    calHome,
    resolveTarget: async () => ({ host: '127.0.0.1', port: target() }),
    credentials: () => ({ user: 'admin', password: 'admin', unlockKeychain: false }),
    connectTimeoutMs,
  })
  pools.push(p)
  return p
}


it('times out a connection whose handshake never comes, without an uncaught error as it winds down', async () => {
  const uncaught: unknown[] = []
  const onUncaught = (err: unknown) => uncaught.push(err)
  process.on('uncaughtException', onUncaught)
  try {
    const err = await rejection(pool(undefined, 300).connect('frozen'))
    expect(err.code).toBe('SSH_TIMEOUT')
    // The server sees CAL's end and closes its side: ssh2 then reports "Connection lost before handshake".
    await new Promise((r) => setTimeout(r, 500))
    expect(uncaught).toEqual([])
  } finally {
    process.off('uncaughtException', onUncaught)
  }
})

it('cancels a command at once while its connection is still being opened', async () => {
  const ac = new AbortController()
  const started = Date.now()
  const run = rejection(pool().exec('frozen', 'true', { signal: ac.signal }))
  setTimeout(() => ac.abort(), 100)
  const err = await run
  expect(err.code).toBe('CANCELLED')
  expect(Date.now() - started).toBeLessThan(2_000)
  // A signal that is already aborted never opens anything.
  expect((await rejection(pool().exec('frozen', 'true', { signal: AbortSignal.abort() }))).code).toBe('CANCELLED')
})

it("times a command out at its own limit when the VM never answers, not at the connect timeout plus it", async () => {
  const started = Date.now()
  const err = await rejection(pool(undefined, 3_000).exec('frozen', 'true', { timeoutMs: 400 }))
  expect(err.code).toBe('SSH_TIMEOUT')
  expect(err.message).toBe('VM "frozen" did not answer over SSH within 400 ms, so a command there did not run.')
  expect(err.hint).toContain('cal status')
  expect(Date.now() - started).toBeLessThan(2_000)
})

it('says that CAL_HOME cannot hold its SSH folder, not that CAL has a bug', async () => {
  const notADir = join(tempDir(), 'cal-home-is-a-file')
  writeFileSync(notADir, '')
  for (const attempt of [ensureClientKey(notADir), pool(notADir).connect('dev')]) {
    const err = await rejection(attempt)
    expect(err.message).toContain(`CAL cannot use its SSH folder ${join(notADir, 'ssh')}`)
    expect(err.hint).toContain('CAL_HOME')
    expect(err.hint).not.toMatch(/bug/)
  }
})

it("says what the guest said when CAL's key cannot be installed (a full disk)", async () => {
  // A guest that takes the password but whose disk is full: writing authorized_keys fails.
  const server = new ssh2.Server({ hostKeys: [generateEd25519('full-disk').private] }, (conn) => {
    conn.on('authentication', (ctx) => (ctx.method === 'password' && ctx.password === 'admin' ? ctx.accept() : ctx.reject(['password'])))
    conn.on('session', (acceptSession) => {
      acceptSession().on('exec', (accept) => {
        const ch = accept()
        ch.stderr.write('sh: 1: cannot create /home/admin/.ssh/authorized_keys: No space left on device\n')
        ch.exit(2)
        ch.end()
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  try {
    const full = (server.address() as { port: number }).port
    const err = await rejection(pool(undefined, 3_000, () => full).connect('full'))
    expect(err.code).toBe('SSH_AUTH_FAILED')
    expect(err.message).toBe(`Could not install CAL's SSH key in VM "full": sh: 1: cannot create /home/admin/.ssh/authorized_keys: No space left on device.`)
    expect(err.hint).toMatch(/disk is full/)
  } finally {
    server.close()
  }
})
