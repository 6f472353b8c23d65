import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { parseHostArgs } from '../../src/host/args'
import { demoCliHint } from '../../src/host/demo'
import { startBrowserHost, type BrowserHost } from '../../src/host/host'
import { encodeTerminalHeader } from '../../src/host/protocol'
import { injectClient } from '../../src/host/static'
import { writeFakeTart } from './fake-tart'

let host: BrowserHost
let dir: string
const logs: string[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cal-host-'))
  mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true })
  // With the desktop app's CSP meta tag, as the built page has it.
  writeFileSync(
    join(dir, 'renderer', 'index.html'),
    `<html><head>\n    <meta\n      http-equiv="Content-Security-Policy"\n      content="default-src 'self'; connect-src 'self';"\n    />\n<script type="module" src="./assets/app.js"></script></head><body></body></html>`,
  )
  writeFileSync(join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(dir, 'client.js'), 'export function installCal() {}')
  writeFileSync(join(dir, 'socket-worker.js'), 'self.onmessage = () => {}')
  // A tart that knows one running VM, dev at 127.0.64.2: the only address Screen Sharing may open.
  const tartPath = writeFakeTart(dir, '127.0.64.2')
  host = await startBrowserHost({ port: 0, calHome: join(dir, 'home'), tartPath, rendererDir: join(dir, 'renderer'), clientFile: join(dir, 'client.js'), log: (msg) => logs.push(msg) })
})
afterAll(async () => {
  await host.close()
  rmSync(dir, { recursive: true, force: true })
})

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

function open(url: string, origin = `http://127.0.0.1:${host.port}`): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

function call(ws: WebSocket, id: number, c: string, d: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as { t: string; id?: number; r?: unknown }
      if (msg.t === 'r' && msg.id === id) {
        ws.off('message', onMessage)
        resolve(msg.r)
      }
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify({ t: 'i', id, c, d }))
  })
}

const wsUrl = (token: string) => `ws://127.0.0.1:${host.port}/__cal/ws?token=${token}`

describe('browser host', () => {
  it('prints a loopback URL with a random token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`)
    expect(host.token.length).toBeGreaterThanOrEqual(32)
  })

  it('serves index.html with the client injected before the app script, and a CSP header', async () => {
    const res = await get('/')
    expect(res.status).toBe(200)
    expect(res.body.indexOf('/__cal/client.js')).toBeLessThan(res.body.indexOf('./assets/app.js'))
    expect(res.headers['content-security-policy']).toContain("script-src 'self'")
    // The host's own policy is the page's only one: a WebSocket to this server, nowhere else.
    expect(res.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${host.port};`)
    expect(res.body).not.toMatch(/Content-Security-Policy/i)
    const byName = await get('/', { host: `localhost:${host.port}` })
    expect(byName.headers['content-security-policy']).toContain(`connect-src 'self' ws://localhost:${host.port};`)
    const boot = await get('/__cal/client.js')
    expect(boot.body).toContain('"vms:list"')
    // The client's socket worker, from beside the client module, under the same headers.
    const worker = await get('/__cal/socket-worker.js')
    expect(worker).toMatchObject({ status: 200, body: 'self.onmessage = () => {}' })
    expect(worker.headers['content-type']).toMatch(/javascript/)
    expect(worker.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${host.port};`)
    expect(worker.headers['content-security-policy']).not.toContain('*')
    expect((await get('/../../etc/passwd')).status).toBe(404)
    expect((await get('/', { host: 'evil.example:80' })).status).toBe(403)
  })

  it('refuses a WebSocket with a bad token or a foreign origin', async () => {
    await expect(open(wsUrl('wrong'))).rejects.toThrow(/401/)
    await expect(open(wsUrl(''))).rejects.toThrow(/401/)
    await expect(open(wsUrl(host.token), 'http://evil.example')).rejects.toThrow(/403/)
  })

  it('carries commands through the router and fans out events', async () => {
    const ws = await open(wsUrl(host.token))
    expect(await call(ws, 1, 'app:status', {})).toMatchObject({ ok: true, value: { macVmLimit: 2 } })
    expect(await call(ws, 2, 'vms:get', { name: '../x' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', details: { field: 'name' } } })
    expect(await call(ws, 3, 'shell:openExternal', { url: 'file:///etc/passwd' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(await call(ws, 4, 'shell:openExternal', { url: 'vnc://127.0.64.2' })).toEqual({ ok: true, value: { ok: true } })
    for (const [id, url] of [[41, 'vnc://evil.example'], [42, 'vnc://10.0.0.1:5900'], [43, 'vnc://user:pw@127.0.64.2']] as const) {
      expect(await call(ws, id, 'shell:openExternal', { url })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/only with its own VMs/) } })
    }
    const event = new Promise((resolve) => ws.on('message', (d) => JSON.parse(d.toString()).t === 'e' && resolve(JSON.parse(d.toString()))))
    expect(await call(ws, 5, 'settings:set', { theme: 'dark' })).toMatchObject({ ok: true, value: { settings: { theme: 'dark' } } })
    expect(await event).toMatchObject({ t: 'e', c: 'settings:changed', d: { settings: { theme: 'dark' } } })
    ws.close()
  })

  it('never shows the page the stored SSH password; an empty one in a change keeps it', async () => {
    const ws = await open(wsUrl(host.token))
    const changed = new Promise<{ d: { settings: { ssh: { password: string } } } }>((resolve) =>
      ws.on('message', (d) => {
        const msg = JSON.parse(d.toString())
        if (msg.t === 'e' && msg.c === 'settings:changed') resolve(msg)
      }),
    )
    const set = (await call(ws, 11, 'settings:set', { ssh: { user: 'admin', password: 'S3cret-pw', unlockKeychain: false } })) as { value: { settings: { ssh: { password: string } } } }
    expect(set.value.settings.ssh.password).toBe('')
    expect((await changed).d.settings.ssh.password).toBe('')
    const got = (await call(ws, 12, 'settings:get', {})) as { value: { settings: { ssh: { password: string } } } }
    expect(got.value.settings.ssh.password).toBe('')
    await call(ws, 13, 'settings:set', { ssh: { user: 'me', password: '', unlockKeychain: false } })
    const stored = JSON.parse(readFileSync(join(dir, 'home', 'settings.json'), 'utf8')) as { ssh: { user: string; password: string } }
    expect(stored.ssh).toMatchObject({ user: 'me', password: 'S3cret-pw' })
    ws.close()
  })

  it('sends terminal output as one binary message: [1][id length][id] then the bytes, untouched', async () => {
    const ws = await open(wsUrl(host.token))
    const got = new Promise<Buffer>((resolve) => ws.on('message', (d, isBinary) => isBinary && resolve(d as Buffer)))
    const data = Buffer.from('héllo 😀\r\n')
    host.engine.events.emit('terminal:data', { id: 't-1', data })
    const msg = await got
    expect([...msg.subarray(0, 5)]).toEqual([1, 3, 0x74, 0x2d, 0x31])
    expect(msg.subarray(5)).toEqual(data)
    expect(() => encodeTerminalHeader('x'.repeat(256))).toThrow(/too long/)
    ws.close()
  })

  it('refuses an upgrade whose target is not a URL, and keeps serving', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = connect(host.port, '127.0.0.1', () =>
        sock.write(`GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`),
      )
      let text = ''
      sock.on('data', (d) => (text += d.toString()))
      sock.on('end', () => resolve(text))
      sock.on('error', reject)
    })
    expect(reply).toMatch(/^HTTP\/1\.1 404 /)
    expect((await get('/')).status).toBe(200)
  })

  it('answers a request target that is not a URL with 400, and never logs the token a request carries', async () => {
    const raw = (target: string) =>
      new Promise<string>((resolve, reject) => {
        const sock = connect(host.port, '127.0.0.1', () => sock.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nConnection: close\r\n\r\n`))
        let text = ''
        sock.on('data', (d) => (text += d.toString()))
        sock.on('end', () => resolve(text))
        sock.on('error', reject)
      })
    expect(await raw(`//[?token=${host.token}`)).toMatch(/^HTTP\/1\.1 400 /)
    // A file that cannot be read for another reason than "not there" is a 500, logged by its path only.
    expect(await raw(`/index.html/x?token=${host.token}`)).toMatch(/^HTTP\/1\.1 500 /)
    expect(logs.some((l) => l.includes('/index.html/x'))).toBe(true)
    expect(logs.filter((l) => l.includes(host.token))).toEqual([])
  })

  it('disconnects a page that stops reading instead of buffering a flood for it', async () => {
    const ws = await open(wsUrl(host.token))
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
    // The page stops reading: what the host sends piles up in its socket's buffer.
    ;(ws as unknown as { _socket: { pause(): void } })._socket.pause()
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    let sent = 0
    while (sent < 64 * 1024 * 1024) {
      host.engine.events.emit('terminal:data', { id: 't-flood', data: chunk })
      sent += chunk.length
      await new Promise((r) => setImmediate(r))
    }
    ;(ws as unknown as { _socket: { resume(): void } })._socket.resume()
    expect(await closed).toBe(1013)
  })

  it('injects before </head> when the page has no script', () => {
    expect(injectClient('<head></head>')).toContain('<script type="module" src="/__cal/client.js"></script>\n  </head>')
  })
})

describe('host arguments', () => {
  it('parses the documented flags', () => {
    expect(parseHostArgs([])).toEqual({ port: 0, demo: false, help: false })
    expect(parseHostArgs(['--port', '8080', '--tart', '/x/tart', '--cal-home=/h', '--demo'])).toEqual({ port: 8080, tartPath: '/x/tart', calHome: '/h', demo: true, help: false })
    expect(() => parseHostArgs(['--port', 'abc'])).toThrow(/--port/)
    expect(() => parseHostArgs(['--tart'])).toThrow(/needs a value/)
    expect(() => parseHostArgs(['--bogus'])).toThrow(/unknown argument/)
  })
})

describe('demo', () => {
  it("says how to point the cal CLI at the demo's simulated host", () => {
    const hint = demoCliHint({ tartPath: '/repo/test/sim/bin/tart', tartHome: '/tmp/cal-demo-tart-x', calHome: "/tmp/it's home" })
    expect(hint).toContain("TART_HOME=/tmp/cal-demo-tart-x CAL_HOME='/tmp/it'\\''s home' CAL_TART=/repo/test/sim/bin/tart node out/cli/cal.js ssh cal-dev")
  })
})
