import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultSettings } from '../../src/shared/settings'
import type { VmInfo } from '../../src/shared/vm'
import { SCROLLBACK_LINES } from '../../src/shared/terminal'
import { NO_TMUX_NOTICE } from '../../src/core/terminal/ssh-terminal'
import { TMUX_ESCAPE_MS, TMUX_STATUS_LEFT } from '../../src/core/ssh/scripts'
import { agentHandlers } from '../../src/core/agent/handlers'
import { SshPool, type SshCredentials } from '../../src/core/ssh/pool'
import { execOn } from '../../src/core/ssh/exec'
import { clientKeyPath, generateEd25519, knownHostsPath } from '../../src/core/ssh/keys'
import { createTerminalService, terminalHandlers, terminalSends } from '../../src/core/terminal/handlers'
import type { CommandHandlers } from '../../src/shared/api'
import type { CliContext } from '../../src/cli/context'
import { attachCommand, sshCommand, opensshArgs } from '../../src/cli/commands/ssh'
import { createSimHost, type SimHost, type SimVm } from '../sim/harness'
import { EventLog, rejection, tartResolver } from './helpers'

const VM = 'ssh-it'
let sim: SimHost
let vm: SimVm
let calHome: string
const pools: SshPool[] = []
const logs: string[] = []

function pool(creds: Partial<SshCredentials> = {}): SshPool {
  const p = new SshPool({
    calHome,
    resolveTarget: tartResolver(sim),
    credentials: () => ({ user: 'admin', password: 'admin', unlockKeychain: false, ...creds }),
    log: (l) => logs.push(l),
  })
  pools.push(p)
  return p
}


beforeAll(async () => {
  calHome = mkdtempSync(join(tmpdir(), 'cal-ssh-it-'))
  sim = await createSimHost()
  vm = await sim.bootVm(VM)
})

afterAll(async () => {
  for (const p of pools) await p.dispose()
  await sim?.cleanup()
  rmSync(calHome, { recursive: true, force: true })
})

describe('connections', () => {
  it('says so at once when the connection drops in the middle of the SSH handshake, rather than waiting for ever', async () => {
    // A real relay in front of the guest's sshd that cuts both sides once the server has sent its first ~2 KB (its
    // banner and key exchange offer): the handshake dies half-way, as with a dropped network or a killed sshd.
    const relay = createServer((inbound) => {
      const outbound = connect(22, vm.ip)
      let sent = 0
      outbound.on('data', (d: Buffer) => {
        sent += d.length
        inbound.write(d)
        if (sent >= 1000) {
          inbound.destroy()
          outbound.destroy()
        }
      })
      inbound.on('data', (d: Buffer) => outbound.write(d))
      inbound.on('error', () => outbound.destroy())
      outbound.on('error', () => inbound.destroy())
    })
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()))
    const port = (relay.address() as AddressInfo).port
    const cut = new SshPool({ calHome, resolveTarget: async () => ({ host: '127.0.0.1', port }), credentials: () => ({ user: 'admin', password: 'admin', unlockKeychain: false }) })
    pools.push(cut)
    try {
      const started = Date.now()
      const err = await rejection(cut.exec(VM, 'true', { timeoutMs: 20_000 }))
      // ssh2 mostly closes without an error here (the case that hung); otherwise a socket error comes first (EPIPE,
      // ECONNRESET, on a read or a write). Either way the connection fails at once, and says to try again.
      expect(err).toMatchObject({ code: 'SSH_UNREACHABLE' })
      expect(err.message).toMatch(new RegExp(`^(The SSH connection to VM "${VM}" at 127\\.0\\.0\\.1:${port} closed before it was ready|Could not reach VM "${VM}" over SSH at 127\\.0\\.0\\.1:${port}: (read|write) E[A-Z]+)\\.$`))
      expect(err.hint).toContain('try again')
      expect(Date.now() - started).toBeLessThan(10_000)
    } finally {
      relay.close()
    }
  })

  it('bootstraps with the password, installs CAL key, then logs in with the key only', async () => {
    const first = pool()
    expect((await first.exec(VM, 'echo hello')).stdout).toBe('hello\n')
    const pub = (await readFile(`${clientKeyPath(calHome)}.pub`, 'utf8')).trim()
    expect((await readFile(clientKeyPath(calHome))).length).toBeGreaterThan(100)
    expect(((await import('node:fs')).statSync(clientKeyPath(calHome)).mode & 0o777).toString(8)).toBe('600')
    const authorized = await readFile(join(sim.guestHome(VM), '.ssh', 'authorized_keys'), 'utf8')
    expect(authorized.split('\n')).toContain(pub)
    const known = await readFile(knownHostsPath(calHome), 'utf8')
    expect(known).toMatch(new RegExp(`^${vm.ip.replace(/\./g, '\\.')} ssh-\\S+ \\S+ cal-vm=${VM}$`, 'm'))
    await first.dispose()

    // A wrong password no longer matters: CAL's key is the only credential offered.
    const keyOnly = pool({ password: 'not-the-password' })
    expect((await keyOnly.exec(VM, 'whoami')).stdout.trim()).toBe('admin')

    // OpenSSH accepts the same key and pinned host key with strict checking.
    const r = await execa('ssh', [
      '-i', clientKeyPath(calHome),
      '-o', `UserKnownHostsFile=${knownHostsPath(calHome)}`,
      '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes',
      `admin@${vm.ip}`, 'echo', 'openssh-ok',
    ], { reject: false })
    expect(r.stdout.trim()).toBe('openssh-ok')
  })

  it('refuses a changed host key until the pin is forgotten', async () => {
    const pinPath = join(calHome, 'ssh', 'host-pins.json')
    const pins = JSON.parse(await readFile(pinPath, 'utf8'))
    const other = ssh2.utils.parseKey(generateEd25519('other').public)
    if (other instanceof Error) throw other
    pins.vms[VM].key = other.getPublicSSH().toString('base64')
    pins.vms[VM].fingerprint = 'SHA256:previous'
    await writeFile(pinPath, JSON.stringify(pins))

    const p = pool()
    const err = await rejection(p.exec(VM, 'true'))
    expect(err.code).toBe('SSH_HOST_KEY_MISMATCH')
    expect(err.message).toContain('SHA256:previous')
    expect(err.hint).toMatch(/`cal ssh ssh-it --forget-host-key`/)
    expect(err.appHint).toMatch(/choose "Forget host key"/)

    await p.forgetHostKey(VM)
    expect((await p.exec(VM, 'echo again')).stdout).toBe('again\n')
    expect(JSON.parse(await readFile(pinPath, 'utf8')).vms[VM].key).not.toBe(pins.vms[VM].key)
  })

  it('stops a command on timeout and on cancel, killing it in the guest', async () => {
    const p = pool()
    // Connected first: the time limit covers the connection too (pool-faults tests a VM that never answers).
    await p.connect(VM)
    const timedOut = await rejection(p.exec(VM, 'sleep 37.25', { timeoutMs: 300 }))
    expect(timedOut.code).toBe('SSH_TIMEOUT')
    expect(timedOut.message).toBe('A command in VM "ssh-it" did not finish within 300 ms.')
    // A limit on silence instead: a command that keeps printing runs past it; one that stops printing is stopped.
    const talking = await p.exec(VM, 'for i in 1 2 3 4 5 6; do echo "tick-$i"; sleep 0.2; done', { quietMs: 700 })
    expect(talking.stdout).toContain('tick-6')
    const quiet = await rejection(p.exec(VM, 'echo start; exec sleep 37.75', { quietMs: 500 }))
    expect(quiet.message).toBe('A command in VM "ssh-it" printed nothing for 500 ms.')
    await expect.poll(async () => (await p.exec(VM, "ps ax -o args | grep -c '^sleep 37.75' || true")).stdout.trim(), { timeout: 5000 }).toBe('0')
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 200)
    const cancelled = await rejection(p.exec(VM, 'sleep 37.5', { signal: ac.signal }))
    expect(cancelled.code).toBe('CANCELLED')
    // Cancelled while its channel is being opened (between the request and the server's answer).
    const client = await p.connect(VM)
    const early = new AbortController()
    const exec = client.exec.bind(client) as unknown as (...args: unknown[]) => unknown
    Object.assign(client, {
      exec: (...args: unknown[]) => {
        const sent = exec(...args)
        early.abort()
        return sent
      },
    })
    try {
      expect((await rejection(execOn(client, 'sleep 37.75', { signal: early.signal }))).code).toBe('CANCELLED')
    } finally {
      Object.assign(client, { exec })
    }
    const left = await p.exec(VM, "ps ax -o args | grep -c '^sleep 37' || true")
    expect(left.stdout.trim()).toBe('0')
    expect((await p.exec(VM, 'exit 3')).code).toBe(3)
  })

  it('stops a command that prints without end (a login shell an agent edited), rather than keep it all until out of memory', async () => {
    const p = pool()
    const flood = await rejection(p.exec(VM, 'yes flood-37 | head -c 50000000; sleep 37.9', { maxOutputBytes: 1 << 20 }))
    expect(flood.code).toBe('INTERNAL')
    expect(flood.message).toBe('A command in VM "ssh-it" printed more than 1 MB, more than CAL reads from one command; it was stopped.')
    expect(flood.hint).toMatch(/login shell/)
    // Stopped in the guest too, and the connection still serves the next command.
    await expect.poll(async () => (await p.exec(VM, "ps ax -o args | grep -c '^sleep 37.9' || true")).stdout.trim(), { timeout: 5000 }).toBe('0')
    expect((await p.exec(VM, 'printf ok')).stdout).toBe('ok')
    // stderr counts too.
    expect((await rejection(p.exec(VM, 'yes flood-38 | head -c 5000000 >&2', { maxOutputBytes: 1_000_000 }))).code).toBe('INTERNAL')
  })

  it("opens more channels than sshd's MaxSessions allows on one connection, without dropping any", async () => {
    // 12 long-running channels (as 12 terminal tabs) and commands beside them, against sshd's default of 10
    // sessions per connection: CAL opens a second connection instead of losing the first one's channels.
    const p = pool()
    const channels = await Promise.all(Array.from({ length: 12 }, (_, i) => p.channel(VM, `echo up-${i}; exec sleep 60`)))
    expect(p.connectionCount(VM)).toBe(2)
    const closed: number[] = []
    channels.forEach((ch, i) => ch.on('close', () => closed.push(i)))
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => p.exec(VM, `echo cmd-${i}`)))
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 6 }, (_, i) => `cmd-${i}`))
    expect(closed).toEqual([])
    // 12 + 6 channels at once, 8 per connection: a third connection carried the last commands.
    expect(p.connectionCount(VM)).toBe(3)
    // Closing channels frees their places: the next ones fit without a fourth connection.
    for (const ch of channels.slice(0, 4)) ch.close()
    await new Promise((r) => setTimeout(r, 300))
    for (let i = 0; i < 4; i++) channels[i] = await p.channel(VM, 'exec sleep 60')
    expect(p.connectionCount(VM)).toBe(3)
    for (const ch of channels) ch.close()
  })

  it('learns a lower MaxSessions from a refused channel and keeps the channels already open', async () => {
    const name = 'ssh-it-few'
    await sim.bootVm(name, { env: { TART_SIM_MAX_SESSIONS: '3' } })
    try {
      const p = pool()
      const before = logs.length
      const channels = []
      for (let i = 0; i < 5; i++) channels.push(await p.channel(name, 'exec sleep 60'))
      const closed: number[] = []
      channels.forEach((ch, i) => ch.on('close', () => closed.push(i)))
      expect((await p.exec(name, 'echo still')).stdout).toBe('still\n')
      expect(p.connectionCount(name)).toBe(2)
      expect(closed).toEqual([])
      expect(logs.slice(before).join('\n')).toMatch(/refused a channel with 3 open on the connection; now at most 3 there/)
      for (const ch of channels) ch.close()
    } finally {
      await sim.run(['stop', name])
    }
  })

  it('unlocks the login keychain on connect without logging the password', async () => {
    const secret = 'kc-S3cret-7781'
    const before = logs.length
    const p = pool({ password: secret, unlockKeychain: true })
    await p.exec(VM, 'true')
    const calls = await sim.readCalls(VM)
    const unlock = calls.find((c) => c[0] === 'security' && c[1] === 'unlock-keychain')
    // The password reached security through the terminal's prompt, not its command line (which the guest's other
    // processes, the agent included, can read).
    expect(unlock).toEqual(['security', 'unlock-keychain', expect.stringMatching(/Library\/Keychains\/login\.keychain-db$/)])
    const answered = JSON.parse(await readFile(join(sim.guestHome(VM), '.cal-sim', 'keychain-unlock.json'), 'utf8'))
    expect(answered).toEqual({ keychain: expect.stringMatching(/login\.keychain-db$/), password: secret })
    expect(logs.slice(before).join('\n')).toContain('login keychain unlocked')
    expect(logs.join('\n')).not.toContain(secret)
    for (const f of await readdir(calHome, { recursive: true, withFileTypes: true })) {
      if (f.isFile()) expect(await readFile(join(f.parentPath, f.name), 'utf8')).not.toContain(secret)
    }
  })

  it('says in the terminal when the keychain would not unlock (the password is not the keychain one)', async () => {
    const kcPassword = join(sim.guestHome(VM), '.cal-sim', 'keychain-password.txt')
    await writeFile(kcPassword, 'the-keychain-password\n')
    const p = pool({ unlockKeychain: true })
    const events = new EventLog()
    const terms = createTerminalService({ pool: p, emit: events.emit, calHome })
    try {
      const s = await terms.open({ vm: VM, kind: 'shell', name: 'kc', cols: 80, rows: 24 })
      expect(p.keychainFailure(VM)).toBe('exit 51')
      expect(s.state).toBe('connected')
      expect(events.states.find((e) => e.id === s.id && e.state === 'connected')?.message).toBe(
        "The VM's login keychain could not be unlocked (exit 51): an agent that keeps its sign-in there asks for it again. Check the SSH password in Settings.",
      )
      await terms.close({ id: s.id, mode: 'end' })
      // Settings no longer asking for the unlock: nothing more to say on the next connection.
      let unlock = true
      const r = new SshPool({ calHome, resolveTarget: tartResolver(sim), credentials: () => ({ user: 'admin', password: 'admin', unlockKeychain: unlock }) })
      pools.push(r)
      await r.exec(VM, 'true')
      expect(r.keychainFailure(VM)).toBe('exit 51')
      unlock = false
      r.disconnect(VM)
      await r.exec(VM, 'true')
      expect(r.keychainFailure(VM)).toBeNull()
    } finally {
      await terms.dispose()
      await rm(kcPassword, { force: true })
    }
    // The right password: nothing to say.
    const q = pool({ unlockKeychain: true })
    await q.exec(VM, 'true')
    expect(q.keychainFailure(VM)).toBeNull()
  })
})

describe('terminal sessions', () => {
  const events = new EventLog()
  let p: SshPool
  let svc: ReturnType<typeof createTerminalService>
  const pane = async (name: string) => (await p.exec(VM, `tmux capture-pane -p -t '=${name}:'`)).stdout
  const untilPane = (name: string, re: RegExp, what: string) => {
    let last = ''
    const check = async () => {
      const deadline = Date.now() + 15_000
      while (Date.now() < deadline) {
        last = await pane(name).catch(() => '')
        if (re.test(last)) return last
        await new Promise((r) => setTimeout(r, 150))
      }
      throw new Error(`timed out waiting for ${what}; pane:\n${last}`)
    }
    return check()
  }

  beforeAll(() => {
    p = pool()
    svc = createTerminalService({ pool: p, emit: events.emit, calHome })
  })
  afterAll(() => svc.dispose())

  it('runs commands in tmux, resizes the guest, and reattaches after a dropped connection', async () => {
    const handlers = terminalHandlers(svc)
    const sends = terminalSends(svc)
    const s = await handlers['terminal:open']({ vm: VM, kind: 'shell', cols: 80, rows: 24 })
    expect(s).toMatchObject({ vm: VM, kind: 'shell', tmuxSession: 'shell-1', state: 'connected', notice: null })
    await events.until(() => events.text(s.id).length > 0, 'first output')

    sends['terminal:input']({ id: s.id, data: 'MARK=kept-$((6*7)); echo "state-$MARK"\r' })
    await untilPane('shell-1', /^state-kept-42$/m, 'command output')

    sends['terminal:resize']({ id: s.id, cols: 100, rows: 30 })
    sends['terminal:resize']({ id: s.id, cols: 100, rows: 30 })
    // tmux takes the new size from its client asynchronously, as any terminal's program does (SIGWINCH): a command
    // typed in the same instant may still see the old size. Once the client has it, the pane has it too.
    const clientSize = async () => (await p.exec(VM, `tmux list-clients -t '=shell-1' -F '#{client_width}x#{client_height}'`)).stdout.trim()
    const deadline = Date.now() + 15_000
    while ((await clientSize()) !== '100x30' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(await clientSize()).toBe('100x30')
    sends['terminal:input']({ id: s.id, data: 'echo "size=$(stty size)"\r' })
    await untilPane('shell-1', /^size=\d+ 100$/m, 'stty size after resize')

    const drop = await sim.sim(['drop', VM])
    expect(drop.exitCode).toBe(0)
    await events.until(() => events.states.some((e) => e.id === s.id && e.state === 'reconnecting'), 'reconnecting state')
    // Typed while reconnecting (before the first retry, 250 ms later): sent once the same session is back.
    sends['terminal:input']({ id: s.id, data: 'echo "typed-while-$MARK"\r' })
    await events.until(() => events.states.at(-1)?.state === 'connected', 'reconnected')
    // The session survived the drop: nothing to say beside "Connected".
    expect(events.states.at(-1)?.message).toBeNull()
    await untilPane('shell-1', /^typed-while-kept-42$/m, 'what was typed while reconnecting')
    sends['terminal:input']({ id: s.id, data: 'echo "after-$MARK"\r' })
    const screen = await untilPane('shell-1', /^after-kept-42$/m, 'same shell after reconnect')
    expect(screen).toMatch(/^state-kept-42$/m)
    expect(svc.list().find((t) => t.id === s.id)?.state).toBe('connected')

    // tmux draws on xterm's normal screen, so what scrolls off goes into xterm's scrollback: no alternate screen
    // (CSI ?1049h) and no CSI S scrolling, through two attaches, and CAL's override is in tmux's list once.
    await events.until(() => events.text(s.id).includes('after-kept-42'), 'the output reaching CAL')
    const text = events.text(s.id)
    expect(text).not.toContain('\x1b[?1049h')
    expect(text).not.toMatch(new RegExp(`${String.fromCharCode(27)}\\[\\d*S`))
    const overrides = (await p.exec(VM, 'tmux show-options -s terminal-overrides')).stdout
    expect(overrides.match(/smcup@:rmcup@:indn@/g)).toHaveLength(1)
    // 24-bit colour reaches xterm as such (tmux turned it into the nearest of 256), and programs are told so.
    sends['terminal:input']({ id: s.id, data: "printf '\\033[38;2;255;100;0mtc-%s\\033[0m \\033[4:3mcurly\\033[0m\\n' ok; echo \"ct=$COLORTERM\"\r" })
    await untilPane('shell-1', /^ct=truecolor$/m, 'COLORTERM in the session')
    await events.until(() => events.text(s.id).includes('\x1b[38;2;255;100;0m'), 'the 24-bit colour reaching CAL')
    // A curly underline (editors' and agents' diagnostics) too, rather than a plain one.
    await events.until(() => events.text(s.id).includes('\x1b[4:3m'), 'the curly underline reaching CAL')
    // For CAL's terminal only: another xterm-256color client (Terminal.app under `cal ssh`) may have no 24-bit colour.
    expect(overrides).not.toMatch(/Tc|RGB/)
    expect((await p.exec(VM, 'tmux show-environment -g COLORTERM')).stdout).not.toContain('truecolor')
    // tmux keeps as much history as CAL's scrollback, for a tab that reattaches later.
    expect((await p.exec(VM, 'tmux show-options -gv history-limit')).stdout.trim()).toBe(String(SCROLLBACK_LINES))
    // An Escape reaches the program at once, not after tmux's default 500 ms wait.
    expect((await p.exec(VM, 'tmux show-options -sv escape-time')).stdout.trim()).toBe(String(TMUX_ESCAPE_MS))
    // The status line has room for "[cal-agent] " (tmux's default of 10 cut its closing bracket).
    expect((await p.exec(VM, 'tmux show-options -gv status-left-length')).stdout.trim()).toBe(String(TMUX_STATUS_LEFT))
    expect((await p.exec(VM, "tmux display-message -p -t '=shell-1:' '#{history_limit}'")).stdout.trim()).toBe(String(SCROLLBACK_LINES))
  })

  it('detaches (tmux keeps running) versus ends the session', async () => {
    const handlers = terminalHandlers(svc)
    const s = (await handlers['terminal:list']({}))[0]!
    await handlers['terminal:close']({ id: s.id, mode: 'detach' })
    expect((await p.exec(VM, "tmux has-session -t '=shell-1'")).code).toBe(0)
    const again = await handlers['terminal:open']({ vm: VM, kind: 'shell', name: 'shell-1', cols: 80, rows: 24 })
    expect(await pane('shell-1')).toMatch(/after-kept-42/)
    await handlers['terminal:close']({ id: again.id, mode: 'end' })
    expect((await p.exec(VM, "tmux has-session -t '=shell-1'")).code).not.toBe(0)
    expect(events.states.at(-1)).toMatchObject({ id: again.id, state: 'closed' })
  })

  it("reads the end of tmux's history and single lines deeper in it, as the page's check for skipped lines asks", async () => {
    const handlers = terminalHandlers(svc)
    const sends = terminalSends(svc)
    const s = await handlers['terminal:open']({ vm: VM, kind: 'shell', cols: 80, rows: 24 })
    try {
      sends['terminal:input']({ id: s.id, data: 'seq -f "deep-%g" 1 300; echo "deep-$((6*7))-done"\r' })
      await untilPane(s.tmuxSession!, /^deep-42-done$/m, 'the lines')
      const depths = [1, 40, 200, 99_999]
      const tail = await handlers['terminal:tail']({ id: s.id, lines: 3, depths })
      // tmux's whole history, read apart, is what each depth counts up from.
      const history = (await p.exec(VM, `tmux capture-pane -p -S - -E -1 -t '=${s.tmuxSession}:'`)).stdout.replace(/\n$/, '').split('\n')
      expect(tail.fullScreen).toBe(false)
      expect(tail.historySize).toBe(history.length)
      expect(history.length).toBeGreaterThan(250)
      expect(tail.lines).toEqual(history.slice(-3))
      expect(tail.samples).toEqual([history.at(-1), history.at(-40), history.at(-200), null])
      expect(tail.samples[2]).toMatch(/^deep-\d+$/)
      // With no lines, only the mode (the mouse wheel's question): less has the pane, then the shell again.
      expect(await handlers['terminal:tail']({ id: s.id, lines: 0, depths: [] })).toMatchObject({ fullScreen: false, lines: [] })
      sends['terminal:input']({ id: s.id, data: 'less /etc/passwd\r' })
      const mode = async () => (await handlers['terminal:tail']({ id: s.id, lines: 0, depths: [] })).fullScreen
      await expect.poll(mode, { timeout: 10_000 }).toBe(true)
      sends['terminal:input']({ id: s.id, data: 'q' })
      await expect.poll(mode, { timeout: 10_000 }).toBe(false)
    } finally {
      await handlers['terminal:close']({ id: s.id, mode: 'end' })
    }
  })

  it('redraws a new tab without a copy of its first line above the screen (tmux has no history yet)', async () => {
    const handlers = terminalHandlers(svc)
    const sends = terminalSends(svc)
    const s = await handlers['terminal:open']({ vm: VM, kind: 'shell', cols: 80, rows: 24 })
    try {
      await untilPane(s.tmuxSession!, /\$ *$/m, 'the prompt')
      const from = events.text(s.id).length
      sends['terminal:redraw']({ id: s.id })
      await events.until(() => events.text(s.id).slice(from).includes('\x1b[?2026l'), 'the redraw')
      const redraw = events.text(s.id).slice(from)
      // What goes above the screen: between the scrollback's clear and the clear that pushes it up.
      const history = redraw.slice(redraw.indexOf('\x1b[3J') + 4, redraw.indexOf('\x1b[H\x1b[2J'))
      expect(history).toBe('')
      const tail = await handlers['terminal:tail']({ id: s.id, lines: 3, depths: [1] })
      expect(tail).toMatchObject({ historySize: 0, lines: [], samples: [null], width: 80 })
      // What a redraw puts above the screen: between the scrollback's clear and the clear that pushes it up.
      const aboveTheScreen = async (what: string, lead?: string) => {
        const from = events.text(s.id).length
        sends['terminal:redraw']({ id: s.id, ...(lead ? { lead } : {}) })
        await events.until(() => events.text(s.id).slice(from).includes('\x1b[?2026l'), what)
        const drawn = events.text(s.id).slice(from)
        return drawn.slice(drawn.indexOf('\x1b[3J') + 4, drawn.indexOf('\x1b[H\x1b[2J'))
      }
      // What the window kept of a session that ended goes above tmux's history, as plain text: nothing in it acts.
      expect(await aboveTheScreen('the redraw with a lead', 'old-1\r\nold\x1b]0;title\x07\x1b[2J-2\r\n')).toBe('old-1\r\nold]0;title[2J-2\r\n')
      // Kept by the engine for every later redraw, whichever window asks (one that opens later has none of it)...
      expect(await aboveTheScreen('a later redraw')).toBe('old-1\r\nold]0;title[2J-2\r\n')
      // ...until `clear` empties tmux's history, as it empties a local terminal's scrollback: not before.
      sends['terminal:input']({ id: s.id, data: 'seq 1 60\r' })
      await untilPane(s.tmuxSession!, /^60\n.*\$ *$/m, 'the numbers')
      expect(await handlers['terminal:tail']({ id: s.id, lines: 1, depths: [] })).toMatchObject({ lead: true })
      sends['terminal:input']({ id: s.id, data: 'clear\r' })
      await expect.poll(async () => (await handlers['terminal:tail']({ id: s.id, lines: 1, depths: [] })).historySize, { timeout: 10_000 }).toBe(0)
      expect(await handlers['terminal:tail']({ id: s.id, lines: 1, depths: [] })).toMatchObject({ lead: false })
      expect(await aboveTheScreen('a redraw after clear')).toBe('')
      // And by Clear scrollback.
      await aboveTheScreen('a redraw with a lead again', 'old-1\r\n')
      await handlers['terminal:clearScrollback']({ id: s.id })
      expect(await aboveTheScreen('a redraw after Clear scrollback')).toBe('')
    } finally {
      await handlers['terminal:close']({ id: s.id, mode: 'end' })
    }
  })

  it('gives two new tabs opened at once two shells, and two opens of one session one terminal', async () => {
    const handlers = terminalHandlers(svc)
    const [a, b] = await Promise.all([0, 1].map(() => handlers['terminal:open']({ vm: VM, kind: 'shell', cols: 80, rows: 24 })))
    expect(a!.tmuxSession).not.toBe(b!.tmuxSession)
    expect(a!.id).not.toBe(b!.id)
    const [c, d] = await Promise.all([0, 1].map(() => handlers['terminal:open']({ vm: VM, kind: 'shell', name: 'twice', cols: 80, rows: 24 })))
    expect(c!.id).toBe(d!.id)
    expect(svc.list().filter((t) => t.tmuxSession === 'twice')).toHaveLength(1)
    for (const t of [a!, b!, c!]) await handlers['terminal:close']({ id: t.id, mode: 'end' })
  })

  it('ends a session right after opening it, while its attach may still be on the way to tmux', async () => {
    const handlers = terminalHandlers(svc)
    for (let i = 0; i < 8; i++) {
      const t = await handlers['terminal:open']({ vm: VM, kind: 'shell', name: `quick-${i}`, cols: 80, rows: 24 })
      await handlers['terminal:close']({ id: t.id, mode: 'end' })
      expect((await p.exec(VM, `tmux has-session -t '=quick-${i}'`)).code).not.toBe(0)
    }
  })

  it('ends a session while its tab reconnects without starting it again, and says so when the VM cannot be reached', async () => {
    const handlers = terminalHandlers(svc)
    const s = await handlers['terminal:open']({ vm: VM, kind: 'shell', name: 'ending', cols: 80, rows: 24 })
    const last = () => events.states.filter((e) => e.id === s.id).at(-1)
    const hasSession = async () => (await p.exec(VM, "tmux has-session -t '=ending'")).code
    // The VM cannot be reached: End fails and says so, and the tab goes on trying to reconnect.
    await sim.setFaults(VM, { no_ip: true })
    try {
      await sim.sim(['drop', VM])
      await events.until(() => last()?.state === 'reconnecting', 'reconnecting')
      const err = await rejection(handlers['terminal:close']({ id: s.id, mode: 'end' }))
      expect(err.message).toMatch(/^Could not end "ending" in ssh-it: .*What runs in it may still be running\.$/)
      expect(err.hint).toMatch(/Try again once ssh-it answers/)
      expect(svc.get(s.id)?.state).toBe('reconnecting')
    } finally {
      await sim.setFaults(VM, {})
    }
    await events.until(() => last()?.state === 'connected', 'reconnected once the VM answers', 30_000)
    expect(await hasSession()).toBe(0)
    // Ended while a reconnect is under way: the attach stops before it opens a channel, so tmux's `new-session -A`
    // does not start the session again.
    await sim.sim(['drop', VM])
    await events.until(() => last()?.state === 'reconnecting', 'reconnecting again')
    await new Promise((r) => setTimeout(r, 260))
    await handlers['terminal:close']({ id: s.id, mode: 'end' })
    expect(last()).toMatchObject({ state: 'closed', message: 'The session ended.' })
    await new Promise((r) => setTimeout(r, 1000))
    expect(await hasSession()).not.toBe(0)
  })

  it("lists the VM's tmux sessions, opens a new shell rather than a detached one, and ends sessions from the list", async () => {
    const handlers = terminalHandlers(svc)
    const first = await handlers['terminal:open']({ vm: VM, kind: 'shell', cols: 80, rows: 24 })
    // tmux has drawn the screen (its status line): the session exists, and detaching leaves it running.
    await events.until(() => events.text(first.id).includes(`[${first.tmuxSession}]`), 'tmux status line')
    // A program working in it (not a shell at its prompt) is named: stopping the VM would end it.
    terminalSends(svc)['terminal:input']({ id: first.id, data: 'sleep 600\r' })
    await untilPane(first.tmuxSession!, /sleep 600/, 'the sleep typed')
    for (let i = 0; i < 50; i++) {
      const busy = (await handlers['terminal:sessions']({ name: VM })).find((x) => x.name === first.tmuxSession)
      if (busy?.command === 'sleep') break
      if (i === 49) throw new Error(`sleep never listed as running: ${JSON.stringify(busy)}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    await handlers['terminal:close']({ id: first.id, mode: 'detach' })
    // A detached shell keeps its name: the next new tab is a new shell, not that one again.
    const second = await handlers['terminal:open']({ vm: VM, kind: 'shell', cols: 80, rows: 24 })
    expect(second.tmuxSession).not.toBe(first.tmuxSession)
    await events.until(() => events.text(second.id).includes(`[${second.tmuxSession}]`), 'the second status line')
    // The page heard second's bell with CAL in the background: the engine says which terminal, for a notification.
    terminalSends(svc)['terminal:bell']({ id: second.id })
    terminalSends(svc)['terminal:bell']({ id: 'no-such-terminal' })
    expect(events.bells).toEqual([{ id: second.id, vm: VM, title: `${second.tmuxSession} in ${VM}` }])
    const listed = await handlers['terminal:sessions']({ name: VM })
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: first.tmuxSession, kind: 'shell', openId: null, clients: 0 }),
        expect.objectContaining({ name: second.tmuxSession, kind: 'shell', openId: second.id, clients: 1, command: null }),
      ]),
    )
    expect(Date.parse(listed.find((x) => x.name === first.tmuxSession)!.createdAt!)).toBeGreaterThan(Date.now() - 120_000)

    await handlers['terminal:endSession']({ vm: VM, name: first.tmuxSession! })
    await handlers['terminal:endSession']({ vm: VM, name: second.tmuxSession! })
    await events.until(() => events.states.some((e) => e.id === second.id && e.state === 'closed'), 'the shown session closed')
    const names = (await handlers['terminal:sessions']({ name: VM })).map((x) => x.name)
    expect(names).not.toContain(first.tmuxSession)
    expect(names).not.toContain(second.tmuxSession)
    // Ending a session that is already gone is not an error: the user wanted it gone.
    await expect(handlers['terminal:endSession']({ vm: VM, name: 'no-such-session' })).resolves.toEqual({ ok: true })
    // A session made by hand with "#" (which CAL cannot attach: tmux reads it as a format there) is listed with what
    // runs in it, for Stop and Restart to name, and can be ended.
    expect((await p.exec(VM, "tmux new-session -d -s 'build#2' sleep 600")).code).toBe(0)
    expect((await handlers['terminal:sessions']({ name: VM })).find((x) => x.name === 'build#2')).toMatchObject({ command: 'sleep', openId: null })
    await handlers['terminal:endSession']({ vm: VM, name: 'build#2' })
    expect((await handlers['terminal:sessions']({ name: VM })).map((x) => x.name)).not.toContain('build#2')
  })

  it('launches the agent in its own tmux session after the session snapshot', async () => {
    const order: string[] = []
    const info = { name: VM, state: 'running', ip: vm.host } as VmInfo
    const agent = agentHandlers({
      terminals: svc,
      vmState: async () => info,
      takeSessionSnapshot: async () => void order.push('snapshot'),
      settings: () => ({ ...defaultSettings(), workspaceAgents: { [VM]: 'opencode' } }),
      lastSessionSnapshotAt: async () => null,
      exec: (v, c, o) => p.exec(v, c, o),
    })
    const launchInfo = await agent['agent:launchInfo']({ name: VM })
    expect(launchInfo).toMatchObject({ agent: 'opencode', agentLabel: 'opencode', vmState: 'running', warning: null, autoSnapshot: true, signedIn: false, signInPath: '~/.config/opencode/config.json' })
    // Signed in: the file opencode's sign-in leaves (the seeds' check).
    await mkdir(join(sim.guestHome(VM), '.config', 'opencode'), { recursive: true })
    await writeFile(join(sim.guestHome(VM), '.config', 'opencode', 'config.json'), '{}')
    try {
      expect(await agent['agent:launchInfo']({ name: VM })).toMatchObject({ signedIn: true })
    } finally {
      await rm(join(sim.guestHome(VM), '.config', 'opencode'), { recursive: true, force: true })
    }
    // A shell slow to draw its prompt, as a freshly resumed VM's is: the command must still be typed at the prompt.
    const bashrc = join(sim.guestHome(VM), '.bashrc')
    const rc = await readFile(bashrc, 'utf8')
    await writeFile(bashrc, `${rc}\nsleep 0.5\n`)
    let s: Awaited<ReturnType<(typeof agent)['agent:launch']>>
    let screen: string
    try {
      s = await agent['agent:launch']({ vm: VM, backupFirst: false, cols: 90, rows: 25 })
      screen = await untilPane('cal-agent', /opencode \(tart-sim stand-in\)/, 'agent banner')
    } finally {
      await writeFile(bashrc, rc)
    }
    order.push('launched')
    expect(order).toEqual(['snapshot', 'launched'])
    expect(s).toMatchObject({ kind: 'agent', tmuxSession: 'cal-agent' })
    // Typed at the shell's prompt, once: not typed ahead of it, which the tty would have echoed before the prompt too.
    expect(screen).toMatch(/^\S+[$#%] opencode$/m)
    expect(screen.match(/opencode(?! \()/g)).toHaveLength(1)
    await terminalHandlers(svc)['terminal:close']({ id: s.id, mode: 'end' })
  })

  it('starts the agent where a shell waits in its session, never over a running one (no second snapshot), and in the repository', async () => {
    const snapshots: string[] = []
    let busy: string | null = null
    const agent = agentHandlers({
      terminals: svc,
      vmState: async () => ({ name: VM, state: 'running', ip: vm.host }) as VmInfo,
      busyWith: () => busy,
      takeSessionSnapshot: async () => void snapshots.push('snapshot'),
      settings: () => ({ ...defaultSettings(), workspaceAgents: { [VM]: 'opencode' } }),
      lastSessionSnapshotAt: async () => null,
      exec: (v, c, o) => p.exec(v, c, o),
    })
    // A repository on a branch with no commit yet, whose origin carries a password; its folder's name is a tmux format
    // that would run a command if tmux read it as one (new-session -c expands formats).
    const repo = ['set -e', "mkdir -p ~/workspace/'app#(touch pwned-37)' && cd ~/workspace/'app#(touch pwned-37)'", 'git init -q -b feature/x .', 'git remote add origin https://user:s3cret@git.example.com:8443/acme/app.git']
    expect((await p.exec(VM, repo.join('\n'))).code).toBe(0)
    const info = await agent['agent:launchInfo']({ name: VM })
    expect(info).toMatchObject({ repository: 'acme/app', branch: 'feature/x' })
    expect(JSON.stringify(info)).not.toContain('s3cret')
    const banners = async () => ((await pane('cal-agent')).match(/opencode \(tart-sim stand-in\)/g) ?? []).length
    const launch = () => agent['agent:launch']({ vm: VM, backupFirst: false, cols: 90, rows: 25 })
    try {
      // `cal ssh` made the agent's session as a plain shell: Launch starts the agent in it.
      expect((await p.exec(VM, 'tmux new-session -d -s cal-agent')).code).toBe(0)
      const s = await launch()
      await untilPane('cal-agent', /opencode \(tart-sim stand-in\)/, 'the agent in the existing session')
      expect(snapshots).toHaveLength(1)
      // Launched again while it runs: the same tab, no second snapshot, no second agent typed into it.
      expect((await launch()).id).toBe(s.id)
      expect(snapshots).toHaveLength(1)
      expect(await banners()).toBe(1)
      // CAL is busy with the VM (a snapshot, a stop): refused, saying with what.
      busy = `Snapshot ${VM}`
      await expect(launch()).rejects.toMatchObject({ code: 'VM_BUSY', message: expect.stringContaining(`(Snapshot ${VM})`) })
      busy = null
      // The agent exits in its open tab: Launch starts it again there, after a new session snapshot.
      svc.input({ id: s.id, data: '/exit\r' })
      await untilPane('cal-agent', /bye\n\S+[$#%]\s*$/m, 'the shell after the agent exited')
      expect((await launch()).id).toBe(s.id)
      await untilPane('cal-agent', /(opencode \(tart-sim stand-in\)[\s\S]*){2}/, 'the agent started again')
      expect(snapshots).toHaveLength(2)
      await terminalHandlers(svc)['terminal:close']({ id: s.id, mode: 'end' })
      // A new agent session starts in the repository the launch dialog named.
      const fresh = await launch()
      await untilPane('cal-agent', /opencode \(tart-sim stand-in\)/, 'the agent in a new session')
      expect((await p.exec(VM, "tmux display-message -p -t '=cal-agent:' '#{pane_current_path}'")).stdout.trim()).toBe('/home/admin/workspace/app#(touch pwned-37)')
      // tmux runs #() in the background: give it time to have done so, then look wherever it could have.
      await new Promise((r) => setTimeout(r, 500))
      expect((await p.exec(VM, 'find ~ /tmp -name pwned-37')).stdout).toBe('')
      await terminalHandlers(svc)['terminal:close']({ id: fresh.id, mode: 'end' })
    } finally {
      await p.exec(VM, 'tmux kill-session -t =cal-agent 2>/dev/null; rm -rf ~/workspace')
    }
  })

  it('without tmux in the VM: a login shell that says so, and the agent typed into one once', async () => {
    const bare = await sim.bootVm('ssh-notmux', { env: { TART_SIM_NO_TMUX: '1' } })
    try {
      const shell = await terminalHandlers(svc)['terminal:open']({ vm: 'ssh-notmux', kind: 'shell', cols: 80, rows: 24 })
      expect(shell).toMatchObject({ tmuxSession: null, notice: NO_TMUX_NOTICE })
      svc.input({ id: shell.id, data: 'echo "bare-$((2+2))"\r' })
      await events.until(() => /^bare-4/m.test(events.text(shell.id)), 'output of the plain shell')
      expect(events.text(shell.id)).toContain(`[CAL] ${NO_TMUX_NOTICE}`)
      await terminalHandlers(svc)['terminal:close']({ id: shell.id, mode: 'end' })

      const snapshots: string[] = []
      const agent = agentHandlers({
        terminals: svc,
        vmState: async () => ({ name: 'ssh-notmux', state: 'running', ip: '127.0.0.1' }) as VmInfo,
        takeSessionSnapshot: async () => void snapshots.push('snapshot'),
        settings: () => ({ ...defaultSettings(), workspaceAgents: { 'ssh-notmux': 'opencode' } }),
        lastSessionSnapshotAt: async () => null,
        exec: (v, c, o) => p.exec(v, c, o),
      })
      const launch = () => agent['agent:launch']({ vm: 'ssh-notmux', backupFirst: false, cols: 80, rows: 24 })
      const a = await launch()
      expect(a).toMatchObject({ kind: 'agent', tmuxSession: null })
      const banner = /opencode \(tart-sim stand-in\)/g
      await events.until(() => banner.test(events.text(a.id)), 'the agent in the plain shell')
      // Launched again: the same tab, not a second shell with a second agent.
      expect((await launch()).id).toBe(a.id)
      await new Promise((r) => setTimeout(r, 1000))
      expect(events.text(a.id).match(banner)).toHaveLength(1)
      expect(svc.list().filter((t) => t.vm === 'ssh-notmux')).toHaveLength(1)
      await terminalHandlers(svc)['terminal:close']({ id: a.id, mode: 'end' })
    } finally {
      await bare.stop()
    }
  })

  it('reattaches once SSH is back after the VM restarts', async () => {
    const s = await terminalHandlers(svc)['terminal:open']({ vm: VM, kind: 'shell', name: 'after-boot', cols: 80, rows: 24 })
    await vm.stop()
    await events.until(() => events.states.some((e) => e.id === s.id && e.state === 'reconnecting'), 'reconnecting state')
    // Typed into a session that will not come back: not sent into the new one (it could be half a command).
    terminalSends(svc)['terminal:input']({ id: s.id, data: 'echo "typed-while-down-$((1+1))"\r' })
    vm = sim.startVm(VM)
    await sim.waitForIp(vm)
    await events.until(() => svc.get(s.id)?.state === 'connected', 'reattached after restart', 30_000)
    // tmux did not survive the restart: the tab says that it now shows a new session (and the window keeps the old one's
    // output: sessionEnded).
    expect(events.states.at(-1)).toEqual({
      id: s.id,
      state: 'connected',
      message: 'The VM restarted, and "after-boot" ended with it: this is a new tmux session. What was typed while it reconnected was not sent.',
      sessionEnded: true,
    })
    terminalSends(svc)['terminal:input']({ id: s.id, data: 'echo "back-$((40+2))"\r' })
    const screen = await untilPane('after-boot', /^back-42$/m, 'input after restart')
    expect(screen).not.toContain('typed-while-down')
  })

  it('takes back "launch the agent again" once the agent is launched again in that tab', async () => {
    const s = await svc.launchAgent(VM, { command: 'sleep 300', cols: 80, rows: 24 })
    await vm.stop()
    await events.until(() => events.states.some((e) => e.id === s.id && e.state === 'reconnecting'), 'reconnecting state')
    vm = sim.startVm(VM)
    await sim.waitForIp(vm)
    await events.until(() => svc.get(s.id)?.state === 'connected', 'reattached after restart', 30_000)
    // The earlier tests' tabs reattach too: this tab's own events only.
    const mine = () => events.states.filter((e) => e.id === s.id)
    await events.until(() => mine().at(-1)?.state === 'connected', 'its connected event')
    expect(mine().at(-1)?.message).toContain('the agent ended with it: this is a new shell in "cal-agent". Launch the agent again')
    expect(svc.get(s.id)?.message).toContain('Launch the agent again')
    const again = await svc.launchAgent(VM, { command: 'sleep 300', cols: 80, rows: 24 })
    expect(again.id).toBe(s.id)
    expect(mine().at(-1)).toEqual({ id: s.id, state: 'connected', message: null })
    // A window that opens now is not told it either.
    expect(svc.get(s.id)?.message).toBeNull()
    await svc.close({ id: s.id, mode: 'end' })
  })
})

describe('cal ssh', () => {
  it('runs one command with CAL key and pinned host key, and builds a strict OpenSSH command line', async () => {
    const handlers = {
      'vms:get': async () => ({ name: VM, state: 'running', ip: vm.ip }),
      'settings:get': async () => ({ settings: defaultSettings(), warning: null }),
    } as unknown as CommandHandlers
    const out: string[] = []
    const ctx = { handlers, calHome, stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), json: false, yes: false, isTTY: false } as unknown as CliContext
    expect(await sshCommand([VM, '--', 'echo cli > ~/cli-ran; exit 7'], ctx)).toBe(7)
    expect(await readFile(join(sim.guestHome(VM), 'cli-ran'), 'utf8')).toBe('cli\n')
    expect(await sshCommand([VM, '--', 'test', '-d', '/tmp'], ctx)).toBe(0)

    // --list: the VM's tmux sessions, as a table or as JSON.
    expect(await sshCommand([VM, '--', 'tmux new-session -d -s cli-listed; tmux new-session -d -s cli-busy sleep 600'], ctx)).toBe(0)
    out.length = 0
    expect(await sshCommand([VM, '--list'], ctx)).toBe(0)
    expect(out.join('')).toMatch(/^SESSION\s+STARTED\s+CLIENTS\s+RUNNING\n/)
    expect(out.join('')).toMatch(/^cli-listed\s+\d{4}-\d\d-\d\dT\S+\s+0\s+-$/m)
    expect(out.join('')).toMatch(/^cli-busy\s+\d{4}-\d\d-\d\dT\S+\s+0\s+sleep$/m)
    out.length = 0
    expect(await sshCommand([VM, '--list'], { ...ctx, json: true } as CliContext)).toBe(0)
    expect(JSON.parse(out.join(''))).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'cli-listed', clients: 0, command: null })]))
    expect(await sshCommand([VM, '--', 'tmux kill-session -t cli-busy'], ctx)).toBe(0)

    // A remote command killed by a signal exits as a shell would report it (128 + the signal's number).
    expect(await sshCommand([VM, '--', "sh -c 'kill -TERM $$'"], ctx)).toBe(143)

    const argv = opensshArgs(calHome, 'admin', vm.ip, 22, attachCommand('cal-agent'))
    expect(argv).toEqual(expect.arrayContaining([`IdentityFile=${clientKeyPath(calHome)}`, `UserKnownHostsFile=${knownHostsPath(calHome)}`, 'StrictHostKeyChecking=yes', '-t', `admin@${vm.ip}`]))
    // Nothing of the user's own SSH setup applies: not their config, agent, keys or connection sharing.
    expect(argv.slice(0, 2)).toEqual(['-F', '/dev/null'])
    expect(argv).toEqual(expect.arrayContaining(['ForwardAgent=no', 'IdentityAgent=none', 'IdentitiesOnly=yes', 'ClearAllForwardings=yes', 'ControlMaster=no', 'ControlPath=none']))
    const effective = (await execa('ssh', ['-G', ...argv.slice(0, argv.indexOf('-t')), `admin@${vm.ip}`])).stdout
    expect(effective).toMatch(/^forwardagent no$/m)
    expect(effective).toMatch(/^identityagent none$/m)
    // The same trust and key work non-interactively (no TTY here, so check with a plain command).
    const r = await execa('ssh', [...argv.slice(0, argv.indexOf('-t')), '-o', 'BatchMode=yes', `admin@${vm.ip}`, 'tmux -V'], { reject: false })
    expect(r.stdout).toMatch(/^tmux \d/)
  })

  it('stops the remote command on SIGTERM, SIGHUP and a closed output pipe, and says when the connection dropped', async () => {
    const handlers = {
      'vms:get': async () => ({ name: VM, state: 'running', ip: vm.ip }),
      'settings:get': async () => ({ settings: defaultSettings(), warning: null }),
    } as unknown as CommandHandlers
    const ctx = { handlers, calHome, stdout: () => {}, stderr: () => {}, json: false, yes: false, isTTY: false } as unknown as CliContext
    const left = async (tag: string) => (await pool().exec(VM, `ps ax -o args | grep -c '^sleep ${tag}' || true`)).stdout.trim()
    const after = (ms: number, fn: () => void) => setTimeout(fn, ms)

    after(700, () => process.emit('SIGTERM', 'SIGTERM'))
    expect(await sshCommand([VM, '--', 'sleep 41.1'], ctx)).toBe(143)
    after(700, () => process.emit('SIGHUP', 'SIGHUP'))
    expect(await sshCommand([VM, '--', 'sleep 41.2'], ctx)).toBe(129)
    // `cal ssh dev -- yes | head -1`: the reader went away (EPIPE), quietly.
    after(700, () => process.stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })))
    expect(await sshCommand([VM, '--', 'sleep 41.3'], ctx)).toBe(141)
    await new Promise((r) => setTimeout(r, 300))
    expect([await left('41.1'), await left('41.2'), await left('41.3')]).toEqual(['0', '0', '0'])

    after(700, () => void sim.sim(['drop', VM]))
    const dropped = await rejection(sshCommand([VM, '--', 'sleep 41.4'], ctx))
    expect(dropped.code).toBe('SSH_DISCONNECTED')
    expect(dropped.message).toBe(`The SSH connection to "${VM}" closed before the command finished.`)

    // Nothing pinned and no such VM: a mistyped name, not "nothing to forget" with exit 0.
    const unknown = await rejection(sshCommand(['never-seen', '--forget-host-key'], { ...ctx, handlers: { ...handlers, 'vms:list': async () => [{ name: VM }] } } as unknown as CliContext))
    expect(unknown.code).toBe('VM_NOT_FOUND')
    expect(unknown.message).toBe('The VM "never-seen" does not exist, and no host key is pinned for it.')
  })
})

