import { homedir } from 'node:os'
import type { IPty } from 'node-pty'
import type { TerminalSession } from '../../shared/terminal'
import { TerminalBase, type TerminalEmit } from './base'

/** The user's login shell on the host (the "Host" tab: signing artifacts, running Tart by hand). */
export function hostShell(): { file: string; args: string[] } {
  if (process.platform === 'win32') return { file: process.env.COMSPEC ?? 'cmd.exe', args: [] }
  return { file: process.env.SHELL || (process.platform === 'darwin' ? '/bin/zsh' : '/bin/bash'), args: ['-l'] }
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

  static async open(info: TerminalSession, emit: TerminalEmit): Promise<HostTerminal> {
    // Loaded on demand: the CLI and most tests never need the native module.
    const { spawn } = await import('node-pty')
    const { file, args } = hostShell()
    const pty = spawn(file, args, {
      name: 'xterm-256color',
      cols: info.cols,
      rows: info.rows,
      cwd: homedir(),
      env: { ...process.env, TERM: 'xterm-256color', COLORTERM: 'truecolor' } as Record<string, string>,
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
