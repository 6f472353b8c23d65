import { homedir } from 'node:os'
import { basename, delimiter, dirname, isAbsolute } from 'node:path'
import type { IPty } from 'node-pty'
import type { TerminalSession } from '../../shared/terminal'
import { TerminalBase, type TerminalEmit } from './base'

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

/** A local shell through node-pty, with the same batching and back-pressure as a VM terminal. */
export class HostTerminal extends TerminalBase {
  private constructor(
    private readonly pty: IPty,
    info: TerminalSession,
    emit: TerminalEmit,
  ) {
    super(info, emit)
    pty.onData((d) => this.output(d))
    pty.onExit(({ exitCode }) => this.finish(`The shell exited (code ${exitCode}).`))
  }

  static async open(info: TerminalSession, emit: TerminalEmit, tartPath: string): Promise<HostTerminal> {
    // Loaded on demand: the CLI and most tests never need the native module.
    const { spawn } = await import('node-pty')
    const { file, args } = hostShell()
    const pty = spawn(file, args, {
      name: 'xterm-256color',
      cols: info.cols,
      rows: info.rows,
      cwd: homedir(),
      env: hostShellEnv(tartPath),
    })
    const t = new HostTerminal(pty, info, emit)
    t.setState('connected')
    return t
  }

  input(data: string): void {
    if (!this.closed) this.pty.write(data)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.finish('The host shell was closed.')
    this.pty.kill()
  }

  protected applyResize(cols: number, rows: number): void {
    this.pty.resize(cols, rows)
  }

  protected pauseSource(): void {
    this.pty.pause()
  }

  protected resumeSource(): void {
    this.pty.resume()
  }
}
