import { delimiter, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SshPool } from '../../src/core/ssh/pool'
import { createTerminalService } from '../../src/core/terminal/handlers'
import { hostShell, hostShellEnv } from '../../src/core/terminal/host-terminal'
import { ScreenMirror } from '../../src/core/terminal/screen-mirror'
import { EventLog } from './helpers'

/** Writes a redraw's bytes into a fresh headless xterm of the same size, as a new window's page does. */
async function replay(data: string): Promise<{ lines: string[]; alternate: boolean; redRow: boolean }> {
  const { Terminal } = ((await import('@xterm/headless')) as unknown as { default: typeof import('@xterm/headless') }).default
  const term = new Terminal({ cols: 80, rows: 24, scrollback: 10_000, allowProposedApi: true })
  await new Promise<void>((r) => term.write(data, r))
  const buf = term.buffer.active
  const lines: string[] = []
  let redRow = false
  for (let i = 0; i < buf.length; i++) {
    const line = buf.getLine(i)
    const text = line?.translateToString(true) ?? ''
    lines.push(text)
    if (text === 'red-7' && line?.getCell(0)?.getFgColor() === 1 && line.getCell(0)?.isFgPalette()) redRow = true
  }
  term.dispose()
  return { lines, alternate: buf.type === 'alternate', redRow }
}

const SIM_TART = resolve(__dirname, '../sim/bin/tart')

function noPool(): SshPool {
  return new SshPool({ calHome: '/nonexistent', resolveTarget: async () => ({ host: '127.0.0.1', port: 1 }), credentials: () => ({ user: 'x', password: 'x', unlockKeychain: false }) })
}

describe('host terminal (node-pty)', () => {
  it('runs a local shell with batching, resize and close', async () => {
    const events = new EventLog()
    const svc = createTerminalService({ pool: noPool(), emit: events.emit, calHome: '/nonexistent' })
    const s = await svc.open({ vm: null, kind: 'host', cols: 80, rows: 24 })
    expect(s).toMatchObject({ vm: null, kind: 'host', state: 'connected', tmuxSession: null })
    svc.resize({ id: s.id, cols: 91, rows: 33 })
    svc.input({ id: s.id, data: 'echo "sz=$(stty size)"; echo "sum=$((20+22))"\r' })
    await events.until(() => /sum=42/.test(events.text(s.id)) && /sz=33 91/.test(events.text(s.id)), 'host shell output')
    svc.ack({ id: s.id, bytes: events.text(s.id).length })
    await svc.close({ id: s.id, mode: 'end' })
    expect(svc.list()).toEqual([])
    expect(events.states.at(-1)).toMatchObject({ id: s.id, state: 'closed' })
  })

  it('names the program in front of the shell (what closing the Host tab would end), and none at the prompt', async () => {
    const events = new EventLog()
    const svc = createTerminalService({ pool: noPool(), emit: events.emit, calHome: '/nonexistent' })
    const s = await svc.open({ vm: null, kind: 'host', cols: 80, rows: 24 })
    try {
      svc.input({ id: s.id, data: 'echo "ready-$((40+2))"\r' })
      await events.until(() => /^ready-42/m.test(events.text(s.id)), 'the prompt')
      expect(svc.foregroundProgram(s.id)).toBeNull()
      svc.input({ id: s.id, data: 'sleep 30\r' })
      await expect.poll(() => svc.foregroundProgram(s.id), { timeout: 5_000 }).toBe('sleep')
      svc.input({ id: s.id, data: '\x03' })
      await expect.poll(() => svc.foregroundProgram(s.id), { timeout: 5_000 }).toBeNull()
    } finally {
      await svc.close({ id: s.id, mode: 'end' })
    }
  })

  it('redraws a new window\'s xterm with the shell\'s scrollback, screen, colours and alternate screen; Clear scrollback forgets it', async () => {
    const events = new EventLog()
    const svc = createTerminalService({ pool: noPool(), emit: events.emit, calHome: '/nonexistent' })
    const s = await svc.open({ vm: null, kind: 'host', cols: 80, rows: 24 })
    svc.input({ id: s.id, data: "for i in $(seq 1 60); do printf '\\033[31mred-%s\\033[0m\\n' $i; done; echo \"mark-$((40+2))\"\r" })
    await events.until(() => /^mark-42/m.test(events.text(s.id)), 'the loop\'s output')

    // What a fresh xterm shows after the redraw, and the shell's output after it (typed right after the request).
    const redrawn = async (after: string) => {
      const from = events.text(s.id).length
      svc.redraw(s.id)
      svc.input({ id: s.id, data: `echo "${after}-$((1+1))"\r` })
      await events.until(() => new RegExp(`^${after}-2`, 'm').test(events.text(s.id).slice(from)), `${after} after the redraw`)
      return replay(events.text(s.id).slice(from))
    }

    const first = await redrawn('after')
    const lines = first.lines.join('\n')
    expect(lines).toMatch(/^red-1\n(red-\d+\n)*red-60\nmark-42\n(.*\n)*after-2$/m)
    expect(first.lines.filter((l) => l === 'red-1')).toHaveLength(1)
    expect(first.lines.filter((l) => l === 'after-2')).toHaveLength(1)
    expect(first.redRow).toBe(true)
    expect(first.alternate).toBe(false)

    // A program on the alternate screen (vim, less) comes back on it.
    svc.input({ id: s.id, data: "printf '\\033[?1049h\\033[HALT-SCREEN'; sleep 30\r" })
    await events.until(() => events.text(s.id).includes('ALT-SCREEN'), 'the alternate screen')
    const from = events.text(s.id).length
    svc.redraw(s.id)
    await events.until(() => events.text(s.id).slice(from).includes('ALT-SCREEN'), 'the redraw on the alternate screen')
    const alt = await replay(events.text(s.id).slice(from))
    expect(alt.alternate).toBe(true)
    expect(alt.lines[0]).toBe('ALT-SCREEN')
    svc.input({ id: s.id, data: '\x03' })
    svc.input({ id: s.id, data: "printf '\\033[?1049l'; echo \"normal-$((2+2))\"\r" })
    await events.until(() => events.text(s.id).slice(from).includes('normal-4'), 'back on the normal screen')

    await svc.clearScrollback(s.id)
    const cleared = await redrawn('cleared')
    expect(cleared.lines).not.toContain('red-1')
    expect(cleared.lines.join('\n')).toMatch(/^cleared-2$/m)
    await svc.close({ id: s.id, mode: 'end' })
  })

  it('holds a flood back while no window acknowledges it, and lets it go as soon as a new window asks for a redraw', async () => {
    const events = new EventLog()
    const svc = createTerminalService({ pool: noPool(), emit: events.emit, calHome: '/nonexistent' })
    const s = await svc.open({ vm: null, kind: 'host', cols: 80, rows: 24 })
    const sent = () => events.text(s.id).length
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))
    svc.input({ id: s.id, data: 'yes 0123456789abcdef | head -c 40000000; echo "flood-$((40+2))"\r' })
    // Nobody acknowledges: main stops at the high-water mark (4 MiB) and holds the rest back in the shell.
    await events.until(() => sent() > 4_000_000, 'the first 4 MiB')
    await pause(300)
    const held = sent()
    await pause(700)
    expect(sent()).toBe(held)
    expect(held).toBeLessThan(8_000_000)
    // A reloaded window's fresh xterm asks for a redraw: the output flows again at once, not after the 5 s stall.
    svc.redraw(s.id)
    await events.until(() => sent() > held + 1_000_000, 'output after the redraw', 3_000)
    await svc.close({ id: s.id, mode: 'end' })
  })

  it('a flood that outruns the mirror\'s parser says so, and its snapshot has everything once parsed', async () => {
    const calls: boolean[] = []
    const mirror = await ScreenMirror.create({ cols: 80, rows: 24, highWater: 64 * 1024, onBacklog: (full) => calls.push(full) })
    const line = 'x'.repeat(79) + '\r\n'
    for (let i = 0; i < 2000; i++) mirror.write(line)
    mirror.write('last-line')
    expect(calls).toEqual([true])
    const shot = await mirror.snapshot()
    expect(calls).toEqual([true, false])
    expect(shot.endsWith('last-line')).toBe(true)
    mirror.dispose()
  })

  it('puts the Tart CAL drives first on PATH, so `tart` in the Host tab acts on the same VMs', async () => {
    const events = new EventLog()
    const svc = createTerminalService({ pool: noPool(), emit: events.emit, calHome: '/nonexistent', tartPath: () => SIM_TART })
    const s = await svc.open({ vm: null, kind: 'host', cols: 80, rows: 24 })
    svc.input({ id: s.id, data: 'echo "which=$(command -v tart)"\r' })
    await events.until(() => events.text(s.id).includes(`which=${SIM_TART}`), 'tart resolved to the simulated host')
    await svc.close({ id: s.id, mode: 'end' })
  })

  it('builds the shell environment without touching PATH for a bare `tart` or an oddly named executable', () => {
    const base = { PATH: `/usr/bin${delimiter}/bin`, HOME: '/home/me', UNSET: undefined }
    expect(hostShellEnv('/opt/tools/tart', base)).toEqual({ PATH: `/opt/tools${delimiter}/usr/bin${delimiter}/bin`, HOME: '/home/me', TERM: 'xterm-256color', COLORTERM: 'truecolor' })
    expect(hostShellEnv('tart', base).PATH).toBe(base.PATH)
    expect(hostShellEnv('/opt/tools/tart-2.0', base).PATH).toBe(base.PATH)
  })

  it('starts a login shell on macOS and an interactive one elsewhere', () => {
    expect(hostShell('darwin', {})).toEqual({ file: '/bin/zsh', args: ['-l'] })
    expect(hostShell('darwin', { SHELL: '/opt/homebrew/bin/fish' })).toEqual({ file: '/opt/homebrew/bin/fish', args: ['-l'] })
    expect(hostShell('linux', { SHELL: '/bin/zsh' })).toEqual({ file: '/bin/zsh', args: [] })
  })
})
