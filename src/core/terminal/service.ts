import { randomUUID } from 'node:crypto'
import { CalError } from '../../shared/errors'
import { ListedTmuxSessionName } from '../../shared/names'
import type { OpenTerminalInput, TerminalSession, TerminalTail, VmTmuxSession } from '../../shared/terminal'
import { killTmuxSessionScript, LIST_TMUX_SESSIONS, sessionNotEnded, SHELL_NAMES } from '../ssh/scripts'
import type { SshPool } from '../ssh/pool'
import { resolveTartPath } from '../tart/driver'
import type { TerminalBase, TerminalEmit } from './base'
import { HostTerminal } from './host-terminal'
import { SshTerminal, type AgentStart } from './ssh-terminal'

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
  /** Terminals being opened on a VM's tmux session, by openingKey. */
  private readonly opening = new Map<string, Promise<TerminalSession>>()
  /** Shell names chosen for a new tab whose open has not started yet, by openingKey. */
  private readonly reserved = new Set<string>()
  private hostCount = 0

  constructor(private readonly deps: TerminalServiceDeps) {}

  async open(input: OpenTerminalInput): Promise<TerminalSession> {
    if (input.kind === 'host' || input.vm === null) {
      const info = this.newInfo(null, 'host', null, `Host ${++this.hostCount}`, input.cols, input.rows)
      return this.track(await HostTerminal.open(info, this.deps.emit, resolveTartPath(this.deps.tartPath?.())))
    }
    const name = input.name ?? (input.kind === 'agent' ? AGENT_TMUX_SESSION : await this.nextShellName(input.vm))
    return this.openSsh(input.vm, input.kind, name, input.cols, input.rows)
  }

  /** The VM's tmux sessions, each with the CAL terminal showing it (if any). A name tmux could not have made (a
   * control character) is left out; any other, made by hand with spaces or symbols, is listed and can be ended
   * (attached too, but for "#", which tmux would read as a format there). */
  async sessions(vm: string): Promise<VmTmuxSession[]> {
    const { stdout } = await this.deps.pool.exec(vm, LIST_TMUX_SESSIONS, { timeoutMs: 15_000 })
    const open = [...this.terms.values()].filter((t) => t.info.vm === vm && t.info.tmuxSession)
    return parseTmuxSessions(stdout)
      .filter((s) => ListedTmuxSessionName.safeParse(s.name).success)
      .map((s) => ({ ...s, kind: s.name === AGENT_TMUX_SESSION ? 'agent' : 'shell', openId: open.find((t) => t.info.tmuxSession === s.name)?.info.id ?? null }))
  }

  /** End a tmux session and every program in it; a CAL terminal showing it closes. Ending one already gone is fine. */
  async endSession(vm: string, name: string): Promise<void> {
    const shown = [...this.terms.values()].find((t) => t.info.vm === vm && t.info.tmuxSession === name)
    if (shown) return shown.close('end')
    const r = await this.deps.pool.exec(vm, killTmuxSessionScript(name), { timeoutMs: 15_000 })
    if (r.code === 3) throw new CalError('TERMINAL_NOT_FOUND', `tmux was not found in ${vm}, so it has no session "${name}".`, 'Nothing to end: without tmux, a shell ends when its tab closes.')
    if (r.code !== 0) throw sessionNotEnded(vm, name, 'tmux did not end it')
  }

  /**
   * The agent's terminal on tmux session "cal-agent" (created in `dir`, the repository, when it does not exist). The
   * agent's command is typed whenever a shell waits at the session's prompt: a new session, one whose agent exited,
   * one `cal ssh` made. A program already running there (the agent) is left alone and shown.
   */
  async launchAgent(vm: string, opts: { command: string; cols: number; rows: number; dir?: string | null }): Promise<TerminalSession> {
    const start = { command: opts.command, dir: opts.dir ?? null }
    const open = [...this.terms.values()].find((t) => t.info.vm === vm && t.info.kind === 'agent')
    if (open instanceof SshTerminal) {
      // Without tmux the agent's tab is a login shell CAL typed the agent into: shown again, never typed into twice.
      if (!open.info.tmuxSession) return open.snapshot()
      await open.startAgent(start)
    }
    return this.openSsh(vm, 'agent', AGENT_TMUX_SESSION, opts.cols, opts.rows, start)
  }

  /** A terminal running one command on a PTY, without tmux (it ends with the command and is not reattached). */
  async openCommand(vm: string, command: string, opts: { cols: number; rows: number; title?: string }): Promise<TerminalSession> {
    const info = this.newInfo(vm, 'shell', null, opts.title ?? `${vm}: ${command.slice(0, 40)}`, opts.cols, opts.rows)
    return this.track(await SshTerminal.open({ pool: this.deps.pool, vm, tmuxName: '', rawCommand: command }, info, this.deps.emit))
  }

  list(): TerminalSession[] {
    return [...this.terms.values()].map((t) => t.snapshot())
  }

  get(id: string): TerminalSession | null {
    const t = this.terms.get(id)
    return t ? t.snapshot() : null
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

  /** Forget the history kept on the VM's side (tmux's), so that no later tab brings it back; the page clears its own. */
  async clearScrollback(id: string): Promise<void> {
    await this.require(id).clearHistory()
  }

  /** Reconnect a dropped terminal now instead of when its backoff ends; false when no attempt was waiting. */
  /** See TerminalBase.foregroundProgram. */
  foregroundProgram(id: string): string | null {
    return this.require(id).foregroundProgram()
  }

  retry(id: string): boolean {
    return this.require(id).retryNow()
  }

  tail(id: string, lines: number, depths: number[] = []): Promise<TerminalTail> {
    return this.require(id).tail(lines, depths)
  }

  /** See TerminalRedraw. A failure leaves the terminal as it is: the next output fills it in. */
  redraw(id: string, lead?: string): void {
    this.terms.get(id)?.redraw(lead).catch(() => undefined)
  }

  /** The page heard this terminal's bell with CAL in the background: say so, with what a notification shows. */
  bell(id: string): void {
    const t = this.terms.get(id)
    if (!t) return
    const { vm, tmuxSession, title } = t.info
    this.deps.emit('terminal:bell', { id, vm, title: vm && tmuxSession ? `${tmuxSession} in ${vm}` : title })
  }

  /** Detach everything (tmux sessions keep running in the VMs). */
  async dispose(): Promise<void> {
    await Promise.all([...this.terms.values()].map((t) => t.close('detach')))
  }

  /**
   * Open (or find) the terminal on tmux session `name`. Opens of the same session at once share one terminal, and
   * shell names being opened are taken (see nextShellName), so two quick ⌘T give two shells, not one session twice.
   */
  private openSsh(vm: string, kind: 'agent' | 'shell', name: string, cols: number, rows: number, start?: AgentStart): Promise<TerminalSession> {
    const key = openingKey(vm, name)
    this.reserved.delete(key)
    // A terminal already open keeps its size: the window that shows it sizes it once laid out, and the size asked
    // for here is only an estimate (resizing to it redrew tmux's screen at the wrong size in the open tab).
    const shown = (info: TerminalSession): TerminalSession => this.terms.get(info.id)?.snapshot() ?? { ...info }
    const pending = this.opening.get(key)
    if (pending) return pending.then(shown)
    const existing = [...this.terms.values()].find((t) => t.info.vm === vm && t.info.tmuxSession === name)
    if (existing) return Promise.resolve(existing.snapshot())
    const title = kind === 'agent' ? `${vm}: agent` : `${vm}: ${name}`
    const info = this.newInfo(vm, kind, name, title, cols, rows)
    const run = SshTerminal.open({ pool: this.deps.pool, vm, tmuxName: name, start }, info, this.deps.emit)
      .then((t) => this.track(t))
      .finally(() => this.opening.delete(key))
    this.opening.set(key, run)
    return run
  }

  private track(t: TerminalBase): TerminalSession {
    this.terms.set(t.info.id, t)
    t.onClosed(() => this.terms.delete(t.info.id))
    return t.snapshot()
  }

  private require(id: string): TerminalBase {
    const t = this.terms.get(id)
    if (!t) throw new CalError('TERMINAL_NOT_FOUND', `No open terminal has id "${id}".`, 'It may have been closed already; open a new terminal.')
    return t
  }

  /** The first shell-N that is neither open in CAL nor running detached in the VM: a new tab is a new shell. */
  private async nextShellName(vm: string): Promise<string> {
    const inVm = await this.sessions(vm).then((list) => list.map((s) => s.name), () => [] as string[])
    const used = new Set([...inVm, ...[...this.terms.values()].filter((t) => t.info.vm === vm).map((t) => t.info.tmuxSession)])
    let n = 1
    while (used.has(`shell-${n}`) || this.opening.has(openingKey(vm, `shell-${n}`)) || this.reserved.has(openingKey(vm, `shell-${n}`))) n += 1
    // Taken until openSsh registers its open: another ⌘T choosing meanwhile picks the next name.
    this.reserved.add(openingKey(vm, `shell-${n}`))
    return `shell-${n}`
  }

  private newInfo(vm: string | null, kind: TerminalSession['kind'], tmux: string | null, title: string, cols: number, rows: number): TerminalSession {
    return { id: randomUUID(), vm, kind, tmuxSession: tmux, title, state: 'connecting', cols, rows, notice: null }
  }
}

function openingKey(vm: string, name: string): string {
  return `${vm}\0${name}`
}

/** Login shells: a pane showing one of these is idle, as far as stopping the VM is concerned. */
const SHELLS = new Set(SHELL_NAMES)

/**
 * `tmux list-sessions` lines (LIST_TMUX_SESSIONS): `created|attached|command|name`. `command` is the foreground
 * program of the session's active pane, or null when that is a shell waiting at its prompt.
 */
export function parseTmuxSessions(stdout: string): { name: string; createdAt: string | null; clients: number; command: string | null }[] {
  return stdout.split('\n').flatMap((line) => {
    const m = /^(\d*)\|(\d*)\|([^|]*)\|(.+)$/.exec(line.replace(/\r$/, ''))
    if (!m) return []
    const [, created = '', attached = '', program = '', name = ''] = m
    const command = program.replace(/^-/, '')
    return [
      {
        name,
        createdAt: created ? new Date(Number(created) * 1000).toISOString() : null,
        clients: Number(attached) || 0,
        command: command && !SHELLS.has(command) ? command : null,
      },
    ]
  })
}
