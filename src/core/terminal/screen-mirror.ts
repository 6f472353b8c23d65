import type { SerializeAddon } from '@xterm/addon-serialize'
import type { Terminal } from '@xterm/headless'
import { SCROLLBACK_LINES } from '../../shared/terminal'

export interface MirrorOptions {
  cols: number
  rows: number
  /** Called with true once more than highWater bytes wait to be parsed, and with false once they are parsed. */
  onBacklog: (full: boolean) => void
  highWater?: number
}

/**
 * A headless xterm in main that parses everything a terminal prints, so that a window which opens later can be
 * given its screen and scrollback: for a source that cannot redraw itself (the Host tab's local shell has no tmux
 * to ask). VS Code's terminal keeps the same kind of copy for its reconnecting terminals.
 *
 * Its parse queue counts against the source: a flood that outruns it pauses the shell (see onBacklog), so main's
 * memory stays bounded.
 */
export class ScreenMirror {
  private pending = 0
  private full = false
  private disposed = false
  private readonly high: number

  private constructor(
    private readonly term: Terminal,
    private readonly serializer: SerializeAddon,
    private readonly opts: MirrorOptions,
  ) {
    this.high = opts.highWater ?? 1024 * 1024
  }

  /** Loaded on demand: only the Host tab needs it. */
  static async create(opts: MirrorOptions): Promise<ScreenMirror> {
    // Both packages are CommonJS: their classes hang off the default export when imported from an ES module.
    const [headless, serialize] = await Promise.all([import('@xterm/headless'), import('@xterm/addon-serialize')])
    const { Terminal: Headless } = (headless as unknown as { default: typeof import('@xterm/headless') }).default ?? headless
    const { SerializeAddon: Serializer } = (serialize as unknown as { default: typeof import('@xterm/addon-serialize') }).default ?? serialize
    const term = new Headless({ cols: opts.cols, rows: opts.rows, scrollback: SCROLLBACK_LINES, allowProposedApi: true })
    const serializer = new Serializer()
    // The addon's typings name the browser xterm; the headless one has the same buffer API it reads.
    term.loadAddon(serializer as unknown as Parameters<Terminal['loadAddon']>[0])
    return new ScreenMirror(term, serializer, opts)
  }

  write(data: string): void {
    if (this.disposed || data.length === 0) return
    const n = data.length
    this.pending += n
    if (!this.full && this.pending > this.high) this.setFull(true)
    this.term.write(data, () => {
      this.pending -= n
      if (this.full && this.pending < this.high / 4) this.setFull(false)
    })
  }

  resize(cols: number, rows: number): void {
    if (!this.disposed) this.term.resize(cols, rows)
  }

  /**
   * Scrollback, screen, cursor and modes as one string to write into a fresh xterm of the same size, taken once
   * everything written so far is parsed (and nothing written after it).
   */
  snapshot(): Promise<string> {
    if (this.disposed) return Promise.resolve('')
    // The callback runs right after the chunks queued before it are parsed, before any queued later.
    return new Promise((resolve) => this.term.write('', () => resolve(this.serializer.serialize({ scrollback: SCROLLBACK_LINES }))))
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.term.dispose()
    if (this.full) this.setFull(false)
  }

  private setFull(full: boolean): void {
    this.full = full
    this.opts.onBacklog(full)
  }
}
