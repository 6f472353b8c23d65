import { mkdtempSync, rmSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import ssh2 from 'ssh2'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { repositoryName, agentFor } from '../../src/core/agent/handlers'
import { HostKeyStore, fingerprint } from '../../src/core/ssh/host-keys'
import { clientKeyPath, ensureClientKey, generateEd25519, knownHostsPath } from '../../src/core/ssh/keys'
import { exitCodeFor } from '../../src/cli/exit-codes'
import { CalError } from '../../src/shared/errors'
import { parseTmuxSessions } from '../../src/core/terminal/service'
import { historyLead } from '../../src/core/terminal/ssh-terminal'
import { shellJoin, shellQuote } from '../../src/core/ssh/quote'
import { completeUtf8Length, OutputBatcher } from '../../src/core/terminal/batcher'
import { FlowControl } from '../../src/core/terminal/flow'
import { guestLocale } from '../../src/core/ssh/locale'
import { defaultSettings } from '../../src/shared/settings'

const dirs: string[] = []
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'cal-unit-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  vi.useRealTimers()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('shellQuote', () => {
  it('survives a real shell for awkward arguments', async () => {
    const args = ['plain', '', "it's", 'a b', '$HOME', '`x`', '\\n', '"q"', 'ünï']
    const r = await execa('sh', ['-c', `printf '%s\\n' ${shellJoin(args)}`])
    expect(r.stdout.split('\n')).toEqual(args)
    expect(shellQuote('a-b_c/d.e')).toBe('a-b_c/d.e')
  })
})

describe('OutputBatcher', () => {
  it('sends the first chunk at once, then batches, and never splits a UTF-8 character', () => {
    vi.useFakeTimers()
    const out: string[] = []
    const b = new OutputBatcher((d) => out.push(d.toString('utf8')))
    b.write(Buffer.from('a'))
    expect(out).toEqual(['a'])
    const euro = Buffer.from('€') // 3 bytes
    b.write(Buffer.concat([Buffer.from('x'), euro.subarray(0, 1)]))
    b.write(euro.subarray(1))
    expect(out).toEqual(['a'])
    vi.advanceTimersByTime(16)
    expect(out).toEqual(['a', 'x€'])
    vi.advanceTimersByTime(16)
    b.write(Buffer.alloc(70 * 1024, 0x41))
    expect(out.length).toBe(3)
    b.write(Buffer.from('tail'))
    b.write(Buffer.alloc(64 * 1024, 0x42))
    expect(out.length).toBe(4)
    b.dispose()
  })

  it('holds back a split character across a size-triggered flush and sends it whole with what follows', () => {
    vi.useFakeTimers()
    const out: Buffer[] = []
    const b = new OutputBatcher((d) => out.push(Buffer.from(d)))
    b.write(Buffer.from('go'))
    const emoji = Buffer.from('😀') // 4 bytes
    // 64 KiB of text ending in the first two bytes of the emoji: flushed at once, minus those two bytes.
    b.write(Buffer.concat([Buffer.alloc(64 * 1024, 0x41), emoji.subarray(0, 2)]))
    expect(out.map((d) => d.length)).toEqual([2, 64 * 1024])
    // The rest arrives: nothing lost, nothing invalid.
    b.write(emoji.subarray(2))
    vi.advanceTimersByTime(16)
    expect(out[2]!.toString('utf8')).toBe('😀')
    expect(out.every((d) => Buffer.from(d.toString('utf8'), 'utf8').equals(d))).toBe(true)
    b.dispose()
  })

  it('gives a lone partial character to the write that completes it, and flushes a dangling one on dispose', () => {
    vi.useFakeTimers()
    const out: Buffer[] = []
    const b = new OutputBatcher((d) => out.push(Buffer.from(d)))
    const e = Buffer.from('é')
    b.write(e.subarray(0, 1))
    vi.advanceTimersByTime(100)
    expect(out).toEqual([])
    b.write(e.subarray(1))
    expect(out.map((d) => d.toString('utf8'))).toEqual(['é'])
    b.write(Buffer.from('€').subarray(0, 2))
    b.dispose()
    expect(out[1]).toEqual(Buffer.from('€').subarray(0, 2))
  })

  it('finds the last character boundary', () => {
    const cases: [number[], number][] = [
      [[], 0],
      [[0x41], 1],
      [[0x41, 0xc3], 1],
      [[0xc3, 0xa9], 2],
      [[0x41, 0xe2, 0x82], 1],
      [[0xe2, 0x82, 0xac], 3],
      [[0xf0, 0x9f, 0x98], 0],
      [[0xf0, 0x9f, 0x98, 0x80], 4],
      [[0x80, 0x80, 0x80, 0x80, 0x80], 5],
    ]
    for (const [bytes, n] of cases) expect(completeUtf8Length(Uint8Array.from(bytes))).toBe(n)
  })
})

describe('FlowControl', () => {
  it('pauses past the high-water mark, resumes below the low one, and recovers from a vanished renderer', () => {
    vi.useFakeTimers()
    const calls: string[] = []
    const f = new FlowControl(() => calls.push('pause'), () => calls.push('resume'), { highWater: 100, lowWater: 20, stallMs: 1000 })
    f.sent(60)
    f.sent(60)
    expect(calls).toEqual(['pause'])
    f.ack(90)
    expect(calls).toEqual(['pause'])
    f.ack(20)
    expect(calls).toEqual(['pause', 'resume'])
    f.sent(200)
    vi.advanceTimersByTime(1000)
    expect(calls).toEqual(['pause', 'resume', 'pause', 'resume'])
    expect(f.backlog).toBe(0)
  })

  it('waits twice as long at each stall in a row (a hung window is not sent 4 MiB every 5 s); an ack or a reset starts over', () => {
    vi.useFakeTimers()
    const calls: string[] = []
    const f = new FlowControl(() => calls.push('pause'), () => calls.push('resume'), { highWater: 100, lowWater: 20, stallMs: 1000, maxStallMs: 3000 })
    const stallAfter = (ms: number) => {
      calls.length = 0
      f.sent(200)
      vi.advanceTimersByTime(ms - 1)
      expect(calls).toEqual(['pause'])
      vi.advanceTimersByTime(1)
      expect(calls).toEqual(['pause', 'resume'])
    }
    stallAfter(1000)
    stallAfter(2000)
    stallAfter(3000)
    stallAfter(3000)
    f.sent(200)
    f.ack(5)
    f.ack(195)
    stallAfter(1000)
    stallAfter(2000)
    f.reset()
    stallAfter(1000)
  })
})

describe('HostKeyStore', () => {
  const blob = (seed: number) => {
    const k = ssh2.utils.parseKey(generateEd25519(String(seed)).public)
    if (k instanceof Error) throw k
    return k.getPublicSSH()
  }

  it('pins per VM name, follows IP changes, refuses a changed key and forgets on request', async () => {
    const home = tmp()
    const store = new HostKeyStore(home)
    const a = blob(1)
    const b = blob(2)
    expect(await store.verify('alpha', '127.0.64.2', 22, a)).toEqual({ ok: true, firstContact: true })
    expect(await store.verify('alpha', '127.0.64.3', 22, a)).toEqual({ ok: true, firstContact: false })
    let kh = await readFile(knownHostsPath(home), 'utf8')
    expect(kh).toBe(`127.0.64.3 ssh-ed25519 ${a.toString('base64')} cal-vm=alpha\n`)
    // Another VM takes over the old address; a non-22 port uses OpenSSH's [host]:port form.
    await store.verify('beta', '127.0.64.3', 22, b)
    await store.verify('alpha', '10.0.0.5', 2222, a)
    kh = await readFile(knownHostsPath(home), 'utf8')
    expect(kh).toContain(`127.0.64.3 ssh-ed25519 ${b.toString('base64')} cal-vm=beta`)
    expect(kh).toContain(`[10.0.0.5]:2222 ssh-ed25519 ${a.toString('base64')} cal-vm=alpha`)
    expect(await store.verify('alpha', '10.0.0.5', 2222, b)).toEqual({ ok: false, expected: fingerprint(a), actual: fingerprint(b) })
    await store.forget('alpha')
    expect(await store.get('alpha')).toBeNull()
    expect(await readFile(knownHostsPath(home), 'utf8')).not.toContain('cal-vm=alpha')
    const fp = await execa('ssh-keygen', ['-l', '-f', knownHostsPath(home)])
    expect(fp.stdout).toContain(fingerprint(b))
  })

  it('keeps every pin when two stores (the app and the cal command) pin at the same time', async () => {
    const home = tmp()
    const app = new HostKeyStore(home)
    const cli = new HostKeyStore(home)
    await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? app : cli).verify(`vm-${i}`, `127.0.64.${i + 2}`, 22, blob(100 + i))))
    const pins = JSON.parse(await readFile(join(home, 'ssh', 'host-pins.json'), 'utf8')) as { vms: Record<string, unknown> }
    expect(Object.keys(pins.vms).sort()).toEqual(Array.from({ length: 16 }, (_, i) => `vm-${i}`).sort())
    expect((await readFile(knownHostsPath(home), 'utf8')).trim().split('\n')).toHaveLength(16)
  })

  it('refuses to connect over a damaged pin file instead of trusting any key', async () => {
    const home = tmp()
    const store = new HostKeyStore(home)
    await store.verify('alpha', '127.0.64.2', 22, blob(1))
    const pinPath = join(home, 'ssh', 'host-pins.json')
    await writeFile(pinPath, '{"version": 1, "vms": {"alpha": ')
    const err = await store.verify('alpha', '127.0.64.2', 22, blob(2)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CalError)
    // A file on this Mac, not the VM: `cal` exits 1, not 9 ("VM unreachable").
    expect((err as CalError).code).toBe('CAL_FILE_DAMAGED')
    expect(exitCodeFor((err as CalError).code)).toBe(1)
    expect((err as CalError).message).toContain(pinPath)
    expect((err as CalError).hint).toMatch(/delete it/)
    expect(await readFile(pinPath, 'utf8')).toBe('{"version": 1, "vms": {"alpha": ')
  })
})

describe('agent helpers', () => {
  it('names repositories and picks the workspace agent', () => {
    expect(repositoryName('/home/admin/workspace/app', 'git@github.com:acme/app.git')).toBe('acme/app')
    expect(repositoryName('/home/admin/workspace/app', 'https://github.com/acme/tool')).toBe('acme/tool')
    expect(repositoryName('/home/admin/workspace/app', '')).toBe('app')
    // Only the URL's path: no user, password or port reaches the window.
    expect(repositoryName('/w/app', 'https://user:s3cretPass@git.example.com/acme/app.git')).toBe('acme/app')
    expect(repositoryName('/w/app', 'https://user:s3cretPass@git.example.com/app.git')).toBe('app')
    expect(repositoryName('/w/app', 'https://gitlab.example.com:8443/app')).toBe('app')
    expect(repositoryName('/w/app', 'ssh://git@host:2222/org/team/app.git/')).toBe('team/app')
    expect(repositoryName('/w/app', 'git@host:app.git')).toBe('app')
    expect(repositoryName('/w/app', '/srv/git/acme/app.git')).toBe('app')
    const s = { ...defaultSettings(), workspaceAgents: { w1: 'cursor' as const } }
    expect(agentFor(s, 'w1')).toBe('cursor')
    expect(agentFor(s, 'w2')).toBe('claude')
    expect(agentFor(s, 'w1', 'opencode')).toBe('opencode')
  })
})

describe('CAL key generation', () => {
  it('never hands out an ed25519 key that ssh2 cannot read back (ssh2 drops a leading zero byte)', () => {
    // About one raw ssh2 key in two hundred is malformed; 1,000 draws make a regression all but certain to show.
    for (let i = 0; i < 1000; i++) {
      const pair = generateEd25519('cal@test')
      expect(ssh2.utils.parseKey(pair.private)).not.toBeInstanceOf(Error)
    }
  })

  it('keeps the key, rewriting a missing or stale .pub from the private key', async () => {
    const home = tmp()
    const first = await ensureClientKey(home)
    const pubPath = `${clientKeyPath(home)}.pub`
    expect((await readFile(pubPath, 'utf8')).trim()).toBe(first.publicKey)
    expect((await ensureClientKey(home)).publicKey).toBe(first.publicKey)
    await rm(pubPath)
    expect((await ensureClientKey(home)).privateKey).toBe(first.privateKey)
    expect((await readFile(pubPath, 'utf8')).trim()).toBe(first.publicKey)
    await writeFile(pubPath, 'ssh-ed25519 AAAAstale other\n')
    await ensureClientKey(home)
    expect((await readFile(pubPath, 'utf8')).trim()).toBe(first.publicKey)
  })

  it('refuses an unreadable private key with what to do, and does not replace it', async () => {
    const home = tmp()
    await ensureClientKey(home)
    await writeFile(clientKeyPath(home), 'not a key\n')
    const err = await ensureClientKey(home).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CalError)
    expect((err as CalError).code).toBe('CAL_FILE_DAMAGED')
    expect(exitCodeFor((err as CalError).code)).toBe(1)
    expect((err as CalError).message).toContain(clientKeyPath(home))
    expect((err as CalError).hint).toMatch(/--forget-host-key/)
    expect(await readFile(clientKeyPath(home), 'utf8')).toBe('not a key\n')
  })
})

describe('tmux session list', () => {
  it('reads created|attached|command|name, keeps a program but not an idle shell, and skips anything else', () => {
    const out = '1795342477|0|bash|shell-1\n1795342400|2|claude|cal-agent\n1795342000|1||old\n1795342001|0|-zsh|login\nno server running\n\n'
    expect(parseTmuxSessions(out)).toEqual([
      { name: 'shell-1', createdAt: new Date(1795342477_000).toISOString(), clients: 0, command: null },
      { name: 'cal-agent', createdAt: new Date(1795342400_000).toISOString(), clients: 2, command: 'claude' },
      { name: 'old', createdAt: new Date(1795342000_000).toISOString(), clients: 1, command: null },
      { name: 'login', createdAt: new Date(1795342001_000).toISOString(), clients: 0, command: null },
    ])
  })

  it("turns tmux's captured scrollback into terminal lines, with attributes reset after; nothing for none", () => {
    expect(historyLead('\x1b[31mred\x1b[39m\nplain\n\n\n')).toBe('\x1b[31mred\x1b[39m\r\nplain\x1b[0m\r\n')
    expect(historyLead('')).toBe('')
    expect(historyLead('\n')).toBe('')
  })

  it('keeps a session name made by hand, with spaces or a "|"', () => {
    expect(parseTmuxSessions('1|0|sleep|my sess\n2|1|bash|a|b').map((s) => [s.name, s.command])).toEqual([
      ['my sess', 'sleep'],
      ['a|b', null],
    ])
  })
})

describe('guestLocale', () => {
  it("sends this Mac's UTF-8 locale, else en_US.UTF-8 (an app opened from the Finder has none)", () => {
    expect(guestLocale({ LANG: 'de_DE.UTF-8' })).toBe('de_DE.UTF-8')
    expect(guestLocale({ LANG: 'fr_FR.utf8' })).toBe('fr_FR.utf8')
    // The character set's own variables win over LANG.
    expect(guestLocale({ LANG: 'de_DE.UTF-8', LC_CTYPE: 'ja_JP.UTF-8' })).toBe('ja_JP.UTF-8')
    expect(guestLocale({ LANG: 'de_DE.UTF-8', LC_CTYPE: 'ja_JP.UTF-8', LC_ALL: 'pt_BR.UTF-8' })).toBe('pt_BR.UTF-8')
    expect(guestLocale({})).toBe('en_US.UTF-8')
    expect(guestLocale({ LANG: '' })).toBe('en_US.UTF-8')
    // Not UTF-8, or not a locale name at all.
    expect(guestLocale({ LANG: 'C' })).toBe('en_US.UTF-8')
    expect(guestLocale({ LANG: 'de_DE.ISO8859-1' })).toBe('en_US.UTF-8')
    expect(guestLocale({ LANG: 'x.UTF-8; rm -rf ~' })).toBe('en_US.UTF-8')
  })
})
