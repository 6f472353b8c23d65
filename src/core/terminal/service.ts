import { randomUUID } from 'node:crypto'
import { CalError } from '../../shared/errors'
import type { OpenTerminalInput, TerminalSession } from '../../shared/terminal'
import type { SshPool } from '../ssh/pool'
import { resolveTartPath } from '../tart/driver'
import type { TerminalBase, TerminalEmit } from './base'
import { HostTerminal } from './host-terminal'
import { SshTerminal } from './ssh-terminal'

export const AGENT_TMUX_SESSION = 'cal-agent'

export interface TerminalServiceDeps {
  pool: SshPool
  emit: TerminalEmit
  calHome: string
  /** The Tart executable CAL drives (read when a host shell opens, so a path changed in Settings applies). */
  tartPath?: () => string | null | undefined
}

/**
 * Every open terminal, by id: VM terminals (tmux over SSH) and host shells. One open terminal per VM tmux
 * session: opening it again returns the one that is already attached.
 */
export class TerminalService {
  private readonly terms = new Map<string, TerminalBase>()
  private hostCount = 0

  constructor(private readonly deps: TerminalServiceDeps) {}

  async open(input: OpenTerminalInput): Promise<TerminalSession> {
    if (input.kind === 'host' || input.vm === null) {
      const info = this.newInfo(null, 'host', null, `Host ${++this.hostCount}`, input.cols, input.rows)
      return this.track(await HostTerminal.open(info, this.deps.emit, resolveTartPath(this.deps.tartPath?.())))
    }
    const name = input.name ?? (input.kind === 'agent' ? AGENT_TMUX_SESSION : this.nextShellName(input.vm))
    return this.openSsh(input.vm, input.kind, name, input.cols, input.rows)
  }

  /** The agent's terminal: creates tmux session "cal-agent" running `command` unless it exists, then attaches. */
  launchAgent(vm: string, opts: { command: string; cols: number; rows: number }): Promise<TerminalSession> {
    return this.openSsh(vm, 'agent', AGENT_TMUX_SESSION, opts.cols, opts.rows, opts.command)
  }

  /** A terminal running one command on a PTY, without tmux (it ends with the command and is not reattached). */
  async openCommand(vm: string, command: string, opts: { cols: number; rows: number; title?: string }): Promise<TerminalSession> {
    const info = this.newInfo(vm, 'shell', null, opts.title ?? `${vm}: ${command.slice(0, 40)}`, opts.cols, opts.rows)
    return this.track(await SshTerminal.open({ pool: this.deps.pool, vm, tmuxName: '', rawCommand: command }, info, this.deps.emit))
  }

  list(): TerminalSession[] {
    return [...this.terms.values()].map((t) => ({ ...t.info }))
  }

  get(id: string): TerminalSession | null {
    const t = this.terms.get(id)
    return t ? { ...t.info } : null
  }

  async close(input: { id: string; mode: 'detach' | 'end' }): Promise<void> {
    await this.require(input.id).close(input.mode)
  }

  /** Forget the VM's pinned host key; its terminals stop, since their connection trusted the old key. */
  async forgetHostKey(vm: string): Promise<void> {
    await Promise.all([...this.terms.values()].filter((t) => t.info.vm === vm).map((t) => t.close('detach')))
    await this.deps.pool.forgetHostKey(vm)
  }

  input(p: { id: string; data: string }): void {
    this.terms.get(p.id)?.input(p.data)
  }

  resize(p: { id: string; cols: number; rows: number }): void {
    this.terms.get(p.id)?.resize(p.cols, p.rows)
  }

  ack(p: { id: string; bytes: number }): void {
    this.terms.get(p.id)?.ack(p.bytes)
  }

  /** Detach everything (tmux sessions keep running in the VMs). */
  async dispose(): Promise<void> {
    await Promise.all([...this.terms.values()].map((t) => t.close('detach')))
  }

  private async openSsh(vm: string, kind: 'agent' | 'shell', name: string, cols: number, rows: number, startCommand?: string): Promise<TerminalSession> {
    const existing = [...this.terms.values()].find((t) => t.info.vm === vm && t.info.tmuxSession === name)
    if (existing) {
      existing.resize(cols, rows)
      return { ...existing.info }
    }
    const title = kind === 'agent' ? `${vm}: agent` : `${vm}: ${name}`
    const info = this.newInfo(vm, kind, name, title, cols, rows)
    return this.track(await SshTerminal.open({ pool: this.deps.pool, vm, tmuxName: name, startCommand }, info, this.deps.emit))
  }

  private track(t: TerminalBase): TerminalSession {
    this.terms.set(t.info.id, t)
    t.onClosed(() => this.terms.delete(t.info.id))
    return { ...t.info }
  }

  private require(id: string): TerminalBase {
    const t = this.terms.get(id)
    if (!t) throw new CalError('TERMINAL_NOT_FOUND', `No open terminal has id "${id}".`, 'It may have been closed already; open a new terminal.')
    return t
  }

  private nextShellName(vm: string): string {
    const used = new Set([...this.terms.values()].filter((t) => t.info.vm === vm).map((t) => t.info.tmuxSession))
    let n = 1
    while (used.has(`shell-${n}`)) n += 1
    return `shell-${n}`
  }

  private newInfo(vm: string | null, kind: TerminalSession['kind'], tmux: string | null, title: string, cols: number, rows: number): TerminalSession {
    return { id: randomUUID(), vm, kind, tmuxSession: tmux, title, state: 'connecting', cols, rows, notice: null }
  }
}
