import type { EventPayload } from '../../shared/api'
import type { ReconnectInfo, TerminalSession, TerminalState, TerminalTail } from '../../shared/terminal'
import { OutputBatcher } from './batcher'
import { FlowControl } from './flow'

export type TerminalEmit = {
  (event: 'terminal:data', payload: EventPayload<'terminal:data'>): void
  (event: 'terminal:state', payload: EventPayload<'terminal:state'>): void
  (event: 'terminal:bell', payload: EventPayload<'terminal:bell'>): void
}

/**
 * What every terminal transport shares: output batching toward the renderer, acknowledgement-driven
 * back-pressure, state events and the rows/cols bookkeeping that drops resizes that change nothing.
 */
export abstract class TerminalBase {
  readonly info: TerminalSession
  protected readonly batcher: OutputBatcher
  protected readonly flow: FlowControl
  protected closed = false
  private readonly closeListeners = new Set<() => void>()
  /** What the last state event said (see snapshot). */
  private said: { message: string | null; reconnect: ReconnectInfo | null; at: number } = { message: null, reconnect: null, at: 0 }

  constructor(
    info: TerminalSession,
    protected readonly emit: TerminalEmit,
  ) {
    this.info = info
    this.batcher = new OutputBatcher((data) => {
      this.flow.sent(data.length)
      this.emit('terminal:data', { id: this.info.id, data })
    })
    this.flow = new FlowControl(
      () => this.pauseSource(),
      () => this.resumeSource(),
    )
  }

  abstract input(data: string): void
  /** detach leaves a tmux session running in the VM; end kills it. */
  abstract close(mode: 'detach' | 'end'): Promise<void>
  protected abstract applyResize(cols: number, rows: number): void
  protected abstract pauseSource(): void
  protected abstract resumeSource(): void

  resize(cols: number, rows: number): void {
    if (cols === this.info.cols && rows === this.info.rows) return
    this.info.cols = cols
    this.info.rows = rows
    if (!this.closed) this.applyResize(cols, rows)
  }

  ack(bytes: number): void {
    this.flow.ack(bytes)
  }

  /** The last lines above the screen as the VM's tmux keeps them (see TerminalTail); none without tmux. */
  tail(_lines: number, depths: number[] = []): Promise<TerminalTail> {
    return Promise.resolve({ fullScreen: false, historySize: 0, lines: [], samples: depths.map(() => null), width: null, lead: false })
  }

  /**
   * The program in the foreground that closing the tab would end, or null (a shell at its prompt; a tmux session,
   * which closing only detaches).
   */
  foregroundProgram(): string | null {
    return null
  }

  /** Start a reconnect attempt now rather than when the backoff ends; false when none was waiting (see SshTerminal). */
  retryNow(): boolean {
    return false
  }

  /** Forget the scrollback kept outside the page (tmux's history); nothing is kept by default. */
  clearHistory(): Promise<void> {
    return Promise.resolve()
  }

  /**
   * Send what a fresh xterm needs to show this terminal as it is (see TerminalRedraw). A window asks when it has a new
   * xterm to fill (a reload, a new window, a reconnected page): output held back for a window that is gone is its
   * to read now, so the back-pressure starts afresh (see refill).
   */
  redraw(lead?: string): Promise<void> {
    this.flow.reset()
    return this.refill(lead)
  }

  /** What redraw sends, with the window's `lead` above tmux's scrollback (see TerminalRedraw); nothing by default. */
  protected refill(_lead?: string): Promise<void> {
    return Promise.resolve()
  }

  onClosed(listener: () => void): void {
    this.closeListeners.add(listener)
  }

  protected output(chunk: Buffer | string): void {
    this.batcher.write(chunk)
  }

  /** Write a line of CAL's own into the terminal (dim), e.g. a notice that tmux is missing. */
  protected say(text: string): void {
    this.batcher.write(`\r\n\x1b[2m[CAL] ${text}\x1b[0m\r\n`)
  }

  /**
   * The session as a window that opens now should show it: with what its last state event said, and a reconnect's
   * time left until its next attempt as of now (a window that reloads mid-reconnect shows the card at once).
   */
  snapshot(): TerminalSession {
    const { message, reconnect, at } = this.said
    const left = reconnect?.retryInMs == null ? null : Math.max(0, reconnect.retryInMs - (Date.now() - at))
    return { ...this.info, message, reconnect: reconnect && { ...reconnect, retryInMs: left } }
  }

  protected setState(state: TerminalState, message: string | null = null, reconnect: ReconnectInfo | null = null, sessionEnded = false): void {
    if (this.info.state === state && state !== 'reconnecting') return
    this.info.state = state
    this.said = { message, reconnect: state === 'reconnecting' ? reconnect : null, at: Date.now() }
    this.emit('terminal:state', { id: this.info.id, state, message, ...(state === 'reconnecting' ? { reconnect } : {}), ...(sessionEnded ? { sessionEnded } : {}) })
  }

  /** What the last state event said no longer holds (the agent it asked to launch again is back): say nothing now. */
  protected clearMessage(): void {
    if (this.said.message === null || this.closed) return
    this.said = { ...this.said, message: null }
    this.emit('terminal:state', { id: this.info.id, state: this.info.state, message: null })
  }

  /** Final: flush output, announce 'closed' once, release listeners. */
  protected finish(message: string | null): void {
    if (this.closed) return
    this.closed = true
    this.batcher.dispose()
    this.flow.dispose()
    this.setState('closed', message)
    for (const l of this.closeListeners) l()
    this.closeListeners.clear()
  }
}
