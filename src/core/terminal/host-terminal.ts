import { homedir } from 'node:os'
import { basename, delimiter, dirname, isAbsolute } from 'node:path'
import type { IPty } from 'node-pty'
import type { TerminalSession } from '../../shared/terminal'
import { TerminalBase, type TerminalEmit } from './base'
import { CLEAR_SCROLLBACK, ERASE_SCREEN, LEAVE_ALT_SCREEN } from './escapes'
import { ScreenMirror } from './screen-mirror'

/**
 * The user's shell on the host (the "Host" tab: signing artifacts, running Tart by hand), started the way the
 * platform's own terminals start it: a login shell on macOS (as Terminal.app does, so path_helper and
 * ~/.zprofile set PATH up), an interactive non-login shell elsewhere (a Linux login shell's /etc/profile would
 * reset PATH and drop the entry for CAL's Tart).
 */
export function hostShell(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): { file: string; args: string[] } {
  if (platform === 'win32') return { file: env.COMSPEC ?? 'cmd.exe', args: [] }
  if (platform === 'darwin') return { file: env.SHELL || '/bin/zsh', args: ['-l'] }
  return { file: env.SHELL || '/bin/bash', args: [] }
}

/**
 * The host shell's environment: CAL's own, plus a terminal type, and the Tart executable CAL drives first on PATH
 * (when it is configured as a full path to a `tart`), so that running Tart by hand in this tab acts on the very
 * VMs CAL shows. A login shell's profile may reorder PATH, but it keeps the entry.
 */
export function hostShellEnv(tartPath: string, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v
  env.TERM = 'xterm-256color'
  env.COLORTERM = 'truecolor'
  if (isAbsolute(tartPath) && basename(tartPath) === 'tart') env.PATH = [dirname(tartPath), base.PATH].filter(Boolean).join(delimiter)
  return env
}

/**
 * A local shell through node-pty, with the same batching and back-pressure as a VM terminal. A headless copy of
 * its screen (ScreenMirror) lets a window that opens later show it with its scrollback.
 */
export class HostTerminal extends TerminalBase {
  /** Output that arrived while a redraw waited for its snapshot: it goes out after the snapshot, in order. */
  private held: string[] | null = null
  private flowPaused = false
  private mirrorFull = false

  private constructor(
    private readonly pty: IPty,
    private readonly mirror: ScreenMirror,
    private readonly shellName: string,
    info: TerminalSession,
    emit: TerminalEmit,
  ) {
    super(info, emit)
    pty.onData((d) => this.received(d))
    pty.onExit(({ exitCode }) => this.finish(`The shell exited (code ${exitCode}).`))
  }

  static async open(info: TerminalSession, emit: TerminalEmit, tartPath: string): Promise<HostTerminal> {
    // Loaded on demand: the CLI and most tests never need the native module. The mirror exists before the shell
    // starts, so that it sees the shell's first output.
    let t: HostTerminal | null = null
    const [{ spawn }, mirror] = await Promise.all([import('node-pty'), ScreenMirror.create({ cols: info.cols, rows: info.rows, onBacklog: (full) => t?.mirrorBacklog(full) })])
    const { file, args } = hostShell()
    const pty = spawn(file, args, {
      name: 'xterm-256color',
      cols: info.cols,
      rows: info.rows,
      cwd: homedir(),
      env: hostShellEnv(tartPath),
    })
    t = new HostTerminal(pty, mirror, basename(file), info, emit)
    t.setState('connected')
    return t
  }

  input(data: string): void {
    if (!this.closed) this.pty.write(data)
  }

  /** What runs in front of the shell (`sleep`, `vim`), read from the PTY; null while the shell itself waits. */
  override foregroundProgram(): string | null {
    if (this.closed) return null
    let name: string
    try {
      name = this.pty.process
    } catch {
      return null
    }
    // Linux gives the command line's first word ("/bin/bash"), macOS the process name ("zsh", "-zsh" for a login shell).
    const program = basename(name ?? '').replace(/^-/, '')
    return program && program !== this.shellName ? program : null
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.finish('The host shell was closed.')
    this.pty.kill()
  }

  /** The page's xterm gets the mirror's scrollback, screen and modes in place of whatever it holds. */
  protected override async refill(): Promise<void> {
    if (this.closed || this.held) return
    const held: string[] = []
    this.held = held
    try {
      const screen = await this.mirror.snapshot()
      this.output(`${LEAVE_ALT_SCREEN}${ERASE_SCREEN}${CLEAR_SCROLLBACK}${screen}`)
    } finally {
      this.held = null
      for (const d of held) this.output(d)
    }
  }

  /** The page emptied its scrollback: the mirror forgets it too, so a later window does not bring it back. */
  override clearHistory(): Promise<void> {
    this.mirror.write(CLEAR_SCROLLBACK)
    return Promise.resolve()
  }

  protected override finish(message: string | null): void {
    super.finish(message)
    this.mirror.dispose()
  }

  protected applyResize(cols: number, rows: number): void {
    this.pty.resize(cols, rows)
    this.mirror.resize(cols, rows)
  }

  protected pauseSource(): void {
    this.flowPaused = true
    this.pty.pause()
  }

  protected resumeSource(): void {
    this.flowPaused = false
    if (!this.mirrorFull) this.pty.resume()
  }

  private received(data: string): void {
    this.mirror.write(data)
    if (this.held) this.held.push(data)
    else this.output(data)
  }

  /** The mirror's parse queue is full: hold the shell, as an unacknowledged page does. */
  private mirrorBacklog(full: boolean): void {
    this.mirrorFull = full
    if (full) this.pty.pause()
    else if (!this.flowPaused && !this.closed) this.pty.resume()
  }
}
