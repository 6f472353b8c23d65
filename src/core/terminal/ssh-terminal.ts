import type { ClientChannel } from 'ssh2'
import { appHintOf, CalError, type ErrorCode } from '../../shared/errors'
import type { TerminalSession, TerminalTail } from '../../shared/terminal'
import { exitOf } from '../ssh/exec'
import type { SshPool } from '../ssh/pool'
import { shellJoin } from '../ssh/quote'
import { attachTmuxCommand, createTmuxSessionCommand, FIND_TMUX, killTmuxSessionScript, refreshTmuxClientsScript, sessionNotEnded, SHELL_NAMES, TMUX_SETUP, tmuxHistoryCommand, tmuxTailCommand } from '../ssh/scripts'
import { TerminalBase, type TerminalEmit } from './base'
import { UnderlineColours } from './underline'
import { CLEAR_INTO_SCROLLBACK, CLEAR_SCROLLBACK, ERASE_SCREEN, SYNC_END, SYNC_SETTLE_MS, SYNC_START } from './escapes'

export const NO_TMUX_NOTICE = 'tmux was not found in the VM: this is a plain login shell, and it will not survive a disconnect.'

/** Errors that retrying cannot fix: the terminal stops and says why. */
const FATAL: ReadonlySet<ErrorCode> = new Set(['SSH_HOST_KEY_MISMATCH', 'SSH_AUTH_FAILED', 'CAL_FILE_DAMAGED', 'VM_NOT_FOUND', 'NAME_INVALID'])
const MAX_BACKOFF_MS = 5_000
/** How long a tab keeps reconnecting to a VM that is not there (a restore swapping its disk) before it gives up. */
const VM_MISSING_GRACE_MS = 60_000
/** How long a tab waits, after its tmux server went away, before asking whether the VM is still there. */
const TMUX_LOST_WAIT_MS = 1_500
/** Keystrokes (or a paste) kept while reconnecting; beyond this, the rest is dropped. */
const MAX_TYPED_AHEAD = 64 * 1024

/** The agent's command, and the folder (the repository) a new session starts in. */
export interface AgentStart {
  command: string
  dir: string | null
}

export interface SshTerminalParams {
  pool: SshPool
  vm: string
  tmuxName: string
  /** The agent: started in the tmux session when a shell waits at its prompt (see startSessionScript). */
  start?: AgentStart
  /** Run this on the PTY instead of tmux (one-off commands, benchmarks); it is not reattached after a drop. */
  rawCommand?: string
}

/**
 * A terminal on the VM's tmux session over an ssh2 PTY channel. When the connection drops it shows
 * "reconnecting", retries with backoff and runs `tmux new-session -A` again, which reattaches to the same
 * session and redraws its screen.
 */
export class SshTerminal extends TerminalBase {
  private channel: ClientChannel | null = null
  private tmuxPath: string | null = null
  private reconnectTimer: NodeJS.Timeout | null = null
  private attempt = 0
  /** What the reconnecting state says, kept for the event that an attempt has started. */
  private reconnecting = { message: '', keepsTyping: false, vmStopped: false }
  /** Since when reconnecting has found no VM of this name (see VM_MISSING_GRACE_MS), or null. */
  private missingSince: number | null = null
  /** Typed while reconnecting: sent once the same session is back, dropped (and said so) if it did not survive. */
  private typedAhead = ''
  /** close() has begun: an attach in progress stops before opening a channel. */
  private closing = false
  /** The attach in progress, if any (close() lets it finish first). */
  private attaching: Promise<void> | null = null

  private constructor(
    private readonly p: SshTerminalParams,
    info: TerminalSession,
    emit: TerminalEmit,
  ) {
    super(info, emit)
  }

  /** Connects and attaches; a failure here is thrown to the caller (nothing is left behind). */
  static async open(p: SshTerminalParams, info: TerminalSession, emit: TerminalEmit): Promise<SshTerminal> {
    const t = new SshTerminal(p, info, emit)
    try {
      await t.attach(true)
    } catch (err) {
      t.closed = true
      throw err
    }
    return t
  }

  input(data: string): void {
    if (this.channel) this.channel.write(data)
    else if (this.info.state === 'reconnecting' && this.reconnecting.keepsTyping && !this.closed) this.typedAhead = (this.typedAhead + data).slice(0, MAX_TYPED_AHEAD)
  }

  /**
   * Detach, or end the tmux session. An attach in progress (a reconnect) is let finish first and stops before it
   * opens a channel, so it cannot start the session again (`new-session -A`) after it was ended. If the session
   * cannot be ended (the VM does not answer), that is an error and the terminal carries on as it was.
   */
  async close(mode: 'detach' | 'end'): Promise<void> {
    if (this.closed || this.closing) return
    this.closing = true
    try {
      await this.attaching?.catch(() => undefined)
      const name = this.info.tmuxSession
      if (mode === 'end' && name && this.tmuxPath) {
        const r = await this.p.pool.exec(this.p.vm, killTmuxSessionScript(name), { timeoutMs: 10_000 }).catch((err: unknown) => {
          throw sessionNotEnded(this.p.vm, name, CalError.from(err).message.replace(/\.$/, ''))
        })
        if (r.code !== 0 && r.code !== 3) throw sessionNotEnded(this.p.vm, name, 'tmux did not end it')
      }
    } catch (err) {
      this.closing = false
      if (!this.channel && !this.reconnectTimer) this.scheduleReconnect('The connection to the VM was lost.')
      throw err
    }
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer)
    this.reconnectTimer = null
    const ch = this.channel
    this.channel = null
    ch?.close()
    this.finish(mode === 'end' ? 'The session ended.' : 'Detached: the tmux session keeps running in the VM.')
  }

  /** Start the agent in this terminal's tmux session if a shell waits at its prompt there (see startSessionScript). */
  async startAgent(start: AgentStart): Promise<void> {
    if (!this.tmuxPath || this.closed || !this.info.tmuxSession) return
    const r = await this.p.pool.exec(this.p.vm, startSessionScript(this.tmuxPath, this.info.tmuxSession, start, this.info.cols, this.info.rows), { timeoutMs: 15_000, env: this.p.pool.terminalEnv })
    if (r.code !== 0) throw new CalError('TERMINAL_NOT_FOUND', `tmux could not start the agent in "${this.info.tmuxSession}" in ${this.p.vm}: ${r.stderr.trim() || `exit ${r.code}`}.`, 'Close the agent tab and launch it again.')
    // "The agent ended with it … launch the agent again" (after a VM restart) is answered now.
    if (this.info.state === 'connected') this.clearMessage()
  }

  /**
   * A window's new xterm for this terminal, now laid out at its size (see TerminalRedraw): whatever reached it
   * before is dropped (screen and scrollback: drawn for a size it no longer has, and tmux draws it again), then
   * tmux's scrollback is written and pushed above the screen by a clear (the xterm has scrollOnEraseInDisplay),
   * and tmux draws the screen again. All of it as one synchronized update: the page shows the old screen until the
   * new one is drawn, never the erased screen or the history passing by.
   */
  protected override refill(lead?: string): Promise<void> {
    // What a window kept of a session that ended: kept here, for every window's redraws from now on (one that opens
    // later has none of it), as plain text: nothing in it may act on the terminal.
    if (lead) {
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      this.ended = lead.replace(/[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]/g, '')
      // The history seen so far was the ended session's: the new one starts with none, which is no clear.
      this.historySeen = null
    }
    // One at a time: a second redraw (a resize right after a burst) would otherwise end the first one's synchronized
    // update with its own end mark, and show its erased screen.
    const run = this.refilling.then(() => this.refillOnce())
    this.refilling = run.catch(() => undefined)
    return run
  }

  private refilling: Promise<void> = Promise.resolve()

  /** What the tab showed of the session a VM restart ended, above tmux's history in every redraw (see refill). */
  private ended = ''
  /** tmux's history size at the last tail(): a history that had lines and has none was cleared. */
  private historySeen: number | null = null

  private async refillOnce(): Promise<void> {
    const { pool, vm, tmuxName } = this.p
    const tmux = this.tmuxPath
    if (!tmux || !this.channel || this.closed) return
    const history = historyLead((await pool.exec(vm, tmuxHistoryCommand(tmux, tmuxName), { timeoutMs: 15_000 })).stdout)
    this.output(`${SYNC_START}${ERASE_SCREEN}${CLEAR_SCROLLBACK}${this.ended}${history}${CLEAR_INTO_SCROLLBACK}`)
    try {
      await pool.exec(vm, refreshTmuxClientsScript(tmux, tmuxName), { timeoutMs: 15_000 })
      await new Promise((r) => setTimeout(r, SYNC_SETTLE_MS))
    } finally {
      this.output(SYNC_END)
    }
  }

  override async tail(lines: number, depths: number[] = []): Promise<TerminalTail> {
    const { pool, vm, tmuxName } = this.p
    if (!this.tmuxPath || this.closed) return { fullScreen: false, historySize: 0, lines: [], samples: depths.map(() => null), width: null, lead: this.ended !== '' }
    const r = await pool.exec(vm, tmuxTailCommand(this.tmuxPath, tmuxName, lines, depths), { timeoutMs: 15_000 })
    if (r.code !== 0) throw new CalError('TERMINAL_NOT_FOUND', `tmux could not read "${tmuxName}" in ${vm}: ${r.stderr.trim() || `exit ${r.code}`}.`, 'The session may have ended.')
    const [head = '', ...rest] = r.stdout.replace(/\n$/, '').split('\n')
    const [mode, size, paneWidth] = head.trim().split(' ')
    const historySize = Math.max(0, Number.parseInt(size ?? '0', 10) || 0)
    const width = Number.parseInt(paneWidth ?? '', 10) > 0 ? Number.parseInt(paneWidth!, 10) : null
    // One line per depth first (tmux clamps a depth beyond its history to its oldest line: not that line), then the tail.
    const samples = depths.map((d, i) => (d <= historySize ? (rest[i] ?? null) : null))
    // `clear` (or `tmux clear-history`) emptied tmux's history: the output kept from before a VM restart goes too, as
    // everything above the screen goes in a local terminal. Only a history gone to nothing: a wider window makes it
    // shorter too (tmux joins the lines it had wrapped), and what is kept must not go with a resize.
    if (this.ended && historySize === 0 && (this.historySeen ?? 0) > 0) this.ended = ''
    this.historySeen = historySize
    // With no history, tmux clamps the tail's last line to the screen's first one and prints that: not history.
    return { fullScreen: mode === '1', historySize, lines: historySize > 0 ? rest.slice(depths.length) : [], samples, width, lead: this.ended !== '' }
  }

  override async clearHistory(): Promise<void> {
    this.ended = ''
    if (!this.tmuxPath || !this.info.tmuxSession) return
    const r = await this.p.pool.exec(this.p.vm, shellJoin([this.tmuxPath, 'clear-history', '-t', `=${this.info.tmuxSession}:`]), { timeoutMs: 15_000 })
    if (r.code !== 0) throw new CalError('TERMINAL_NOT_FOUND', `tmux could not clear the history of "${this.info.tmuxSession}" in ${this.p.vm}: ${r.stderr.trim() || `exit ${r.code}`}.`, 'The session may have ended; the tab shows what it still holds.')
  }

  protected applyResize(cols: number, rows: number): void {
    // ssh2 takes rows first.
    this.channel?.setWindow(rows, cols, 0, 0)
  }

  protected pauseSource(): void {
    this.channel?.pause()
  }

  protected resumeSource(): void {
    this.channel?.resume()
  }

  private attach(first: boolean): Promise<void> {
    const run = this.attachOnce(first).finally(() => {
      if (this.attaching === run) this.attaching = null
    })
    this.attaching = run
    return run
  }

  /** Stopped, or stopping: nothing more may be opened in the VM. */
  private get stopping(): boolean {
    return this.closed || this.closing
  }

  private async attachOnce(first: boolean): Promise<void> {
    const { pool, vm, tmuxName } = this.p
    if (this.p.rawCommand) {
      const ch = await pool.shell(vm, { cols: this.info.cols, rows: this.info.rows, command: this.p.rawCommand })
      this.info.tmuxSession = null
      this.wire(ch)
      this.setState('connected')
      return
    }
    const found = (await pool.exec(vm, FIND_TMUX, { timeoutMs: 15_000 })).stdout.trim().split('\n')[0]
    this.tmuxPath = found || null
    if (this.stopping) return
    const { cols, rows } = this.info
    let ch: ClientChannel
    let lost = false
    if (this.tmuxPath) {
      if (!first) {
        // Reattaching after a drop: a session that is gone did not survive the VM's restart, and -A starts a new one.
        lost = (await pool.exec(vm, shellJoin([this.tmuxPath, 'has-session', '-t', `=${tmuxName}`]), { timeoutMs: 15_000 })).code !== 0
        if (this.stopping) return
      }
      // Its environment too: the tmux server this may start passes it on to every session's shell.
      if (first && this.p.start) await pool.exec(vm, startSessionScript(this.tmuxPath, tmuxName, this.p.start, cols, rows), { timeoutMs: 15_000, env: pool.terminalEnv })
      ch = await pool.shell(vm, { cols, rows, command: attachTmuxCommand(this.tmuxPath, tmuxName) })
      this.info.tmuxSession = tmuxName
      this.info.notice = null
    } else {
      ch = await pool.shell(vm, { cols, rows })
      this.info.tmuxSession = null
      this.info.notice = NO_TMUX_NOTICE
      this.say(first ? NO_TMUX_NOTICE : 'Reconnected to a new login shell: without tmux, the previous one did not survive.')
      if (first && this.p.start) ch.write(`${this.p.start.command}\r`)
    }
    if (this.stopping) {
      ch.close()
      return
    }
    this.wire(ch)
    // tmux redraws the same screen after a drop: erase it first (before anything the channel delivers, which comes
    // on a later turn), so that tmux's clear on attach does not push a copy into the scrollback. A session that is
    // gone keeps its last screen there.
    if (!first && this.tmuxPath && !lost) this.output(ERASE_SCREEN)
    // The window may have been resized while we were connecting.
    if (cols !== this.info.cols || rows !== this.info.rows) this.applyResize(this.info.cols, this.info.rows)
    const typed = this.typedAhead
    this.typedAhead = ''
    const fresh = lost || !this.tmuxPath
    if (typed && !fresh) ch.write(typed)
    const dropped = typed && fresh ? ' What was typed while it reconnected was not sent.' : ''
    const keychain = pool.keychainFailure(vm)
    const said = [lost ? `${lostSessionMessage(tmuxName, this.info.kind === 'agent')}${dropped}` : dropped.trim(), keychain ? keychainMessage(keychain) : '']
    this.setState('connected', said.filter(Boolean).join(' ') || null, null, lost)
  }

  private wire(ch: ClientChannel): void {
    this.flow.reset()
    this.channel = ch
    // One per channel: the part of a sequence a dropped channel held back is never finished, and would swallow the
    // start of the next one's output.
    const colours = this.tmuxPath ? new UnderlineColours() : null
    ch.on('data', (d: Buffer) => this.output(colours ? colours.fix(d) : d))
    ch.stderr.on('data', (d: Buffer) => this.output(d))
    ch.on('close', () => {
      if (this.channel !== ch) return
      this.channel = null
      // Ending the session closes its channel too: close() says what happened (or, if it fails, reconnects).
      if (this.closed || this.closing) return
      // An exit status means tmux (or the shell) ended on its own; no exit status means the connection went away.
      const exit = exitOf(ch)
      if (exit && this.info.tmuxSession && (exit.code !== 0 || exit.signal)) void this.afterTmuxServerLost()
      else if (exit) this.finish(this.info.tmuxSession ? 'The tmux session ended or was detached.' : 'The shell exited.')
      else if (this.p.rawCommand) this.finish('The connection to the VM was lost; the command ended with it.')
      else this.scheduleReconnect('The connection to the VM was lost.')
    })
  }

  /**
   * tmux's client exits non-zero when its server goes away ("[server exited]"): someone ran `tmux kill-server`, or
   * the VM is shutting down, where every process is told to stop at once and tmux may go before sshd. A restart must
   * not close the tab, so CAL waits a moment and asks the VM: still there, the session really ended; gone, the tab
   * reattaches once SSH is back, as after any dropped connection.
   */
  private async afterTmuxServerLost(): Promise<void> {
    await new Promise((r) => setTimeout(r, TMUX_LOST_WAIT_MS))
    if (this.stopping) return
    const reachable = await this.p.pool.exec(this.p.vm, 'true', { timeoutMs: 5_000 }).then(
      (r) => r.code === 0,
      () => false,
    )
    if (this.stopping) return
    if (reachable) this.finish('The tmux session ended: its tmux server stopped.')
    // Its tmux server is gone, so what is typed meanwhile would reach a new session: it is not kept (see attachOnce).
    else this.scheduleReconnect('The VM is restarting or shutting down: CAL reattaches once it is back.', false)
  }

  /**
   * Say "reconnecting" with the attempt that comes next and when, and start it then. `keepsTyping`: what is typed
   * meanwhile will be sent to the same session once it is back (see input and attachOnce), as the banner says.
   */
  private scheduleReconnect(message: string, keepsTyping = this.info.tmuxSession !== null, vmStopped = false): void {
    if (this.closed) return
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** this.attempt)
    this.attempt += 1
    this.reconnecting = { message, keepsTyping, vmStopped }
    this.setState('reconnecting', message, { attempt: this.attempt, retryInMs: delay, keepsTyping, ...(vmStopped ? { vmStopped } : {}) })
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null
      this.reconnectNow()
    }, delay)
  }

  /**
   * "Retry now": start the waiting attempt at once. Nothing happens while one is under way (its failure schedules
   * the next), after close, or while connected, so a second click never attaches twice.
   */
  override retryNow(): boolean {
    if (this.stopping || !this.reconnectTimer || this.attaching) return false
    clearTimeout(this.reconnectTimer)
    this.reconnectTimer = null
    this.reconnectNow()
    return true
  }

  private reconnectNow(): void {
    const { message, keepsTyping, vmStopped } = this.reconnecting
    this.setState('reconnecting', message, { attempt: this.attempt, retryInMs: null, keepsTyping, ...(vmStopped ? { vmStopped } : {}) })
    this.attach(false).then(
      () => {
        this.attempt = 0
        this.missingSince = null
      },
      (err: unknown) => {
        const e = CalError.from(err)
        // A restore renames the VM aside for a moment while it swaps the disk: "does not exist" then means "not
        // yet". Only a VM missing for longer than that (deleted) ends the tab.
        const now = Date.now()
        this.missingSince = e.code === 'VM_NOT_FOUND' ? (this.missingSince ?? now) : null
        const missingLong = this.missingSince !== null && now - this.missingSince >= VM_MISSING_GRACE_MS
        if (e.code === 'VM_NOT_FOUND' && !missingLong) {
          this.scheduleReconnect(`${this.p.vm} is not there right now (a restore sets it aside while it swaps its disk): CAL keeps trying for a minute.`, keepsTyping)
        } else if (e.code === 'VM_NOT_RUNNING' && e.details?.state === 'stopped') {
          // Its tmux server stopped with it: what is typed now would reach a new session, so it is not kept.
          this.typedAhead = ''
          this.scheduleReconnect(`${this.p.vm} is stopped: start it and this tab reattaches (a new tmux session, if the VM shut down).`, false, true)
        } else if (FATAL.has(e.code)) {
          this.say(e.message)
          this.finish(`${e.message} ${appHintOf(e)}`.trim())
        } else {
          this.scheduleReconnect(`The last attempt failed: ${e.message}`, keepsTyping)
        }
      },
    )
  }
}

/** tmux's scrollback (capture-pane output) as terminal lines, attributes reset after; nothing for none. */
export function historyLead(captured: string): string {
  const lines = captured.replace(/\n+$/, '')
  return lines ? `${lines.replace(/\n/g, '\r\n')}\x1b[0m\r\n` : ''
}

/** Said beside "Connected" when the VM's login keychain could not be unlocked (Settings ask CAL to). */
export function keychainMessage(why: string): string {
  return `The VM's login keychain could not be unlocked (${why}): an agent that keeps its sign-in there asks for it again. Check the SSH password in Settings.`
}

/** Said beside "Connected" when the tmux session did not survive a VM restart and the tab now shows a new one. */
export function lostSessionMessage(name: string, agent: boolean): string {
  return agent
    ? `The VM restarted, and the agent ended with it: this is a new shell in "${name}". Launch the agent again from the workspace.`
    : `The VM restarted, and "${name}" ended with it: this is a new tmux session.`
}

/** tmux expands formats in some arguments (new-session's -c): `#(cmd)` there would run cmd. `##` is a literal `#`. */
function tmuxLiteral(text: string): string {
  return text.replaceAll('#', '##')
}

/**
 * Create the tmux session detached (in `dir` when given) unless it exists, then type the start command if a shell
 * waits at the session's prompt: a new session, one whose agent exited, one made by `cal ssh`. A program running
 * there (the agent) is left alone. A new session's command is typed once the shell has drawn its prompt (the cursor
 * has left the top-left corner; at most ~5 s): typed ahead, the tty would echo it before the prompt as well as after
 * it ("claudeadmin@vm:~$ claude").
 */
function startSessionScript(tmux: string, name: string, start: AgentStart, cols: number, rows: number): string {
  const t = (args: string[]) => shellJoin([tmux, ...args])
  const target = `=${name}:`
  const shells = SHELL_NAMES.flatMap((s) => [s, `-${s}`]).join('|')
  return [
    `if ! ${t(['has-session', '-t', `=${name}`])} 2>/dev/null; then`,
    createTmuxSessionCommand(tmux, ['-u', ...TMUX_SETUP, ';', 'new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), ...(start.dir ? ['-c', tmuxLiteral(start.dir)] : [])]),
    `i=0; while [ "$(${t(['display-message', '-p', '-t', target, '#{cursor_x},#{cursor_y}'])})" = 0,0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done;`,
    'fi;',
    `case "$(${t(['display-message', '-p', '-t', target, '#{pane_current_command}'])})" in ${shells})`,
    `${t(['send-keys', '-t', target, '-l', start.command])} && ${t(['send-keys', '-t', target, 'Enter'])} ;;`,
    'esac',
  ].join(' ')
}
