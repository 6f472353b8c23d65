export interface FlowOptions {
  /** Pause the source once this many bytes are sent but not yet written into the renderer's xterm. */
  highWater?: number
  /** Resume once the backlog falls below this. */
  lowWater?: number
  /**
   * A paused stream with no acknowledgement for this long resumes anyway (the window went away or reloaded). Each
   * further stall without an acknowledgement between waits twice as long, up to maxStallMs.
   */
  stallMs?: number
  maxStallMs?: number
}

/**
 * Back-pressure between main and the renderer: bytes sent are counted until the renderer acknowledges having
 * written them into xterm; past the high-water mark the source (ssh2 channel or pty) is paused, so a flood is
 * held in the guest and in TCP windows, never in main's memory.
 *
 * The window is sized so that xterm never runs dry during a flood: it resumes the source while 2 MiB are still
 * queued toward the page, far more than xterm parses while an acknowledgement travels back and fresh output
 * arrives on a busy machine (with 1 MiB / 256 KiB, a 32 MB flood took a fifth longer to reach xterm on the
 * 2-core test machine). What is in flight sits in socket buffers and in the page, not in main's heap.
 */
export class FlowControl {
  private unacked = 0
  private paused = false
  private stallTimer: NodeJS.Timeout | null = null
  private readonly high: number
  private readonly low: number
  private readonly stallMs: number
  private readonly maxStallMs: number
  /** Stalls in a row with no acknowledgement between them. */
  private stalls = 0

  constructor(
    private readonly pause: () => void,
    private readonly resume: () => void,
    opts: FlowOptions = {},
  ) {
    this.high = opts.highWater ?? 4 * 1024 * 1024
    this.low = opts.lowWater ?? 2 * 1024 * 1024
    this.stallMs = opts.stallMs ?? 5_000
    this.maxStallMs = opts.maxStallMs ?? 60_000
  }

  get backlog(): number {
    return this.unacked
  }

  get isPaused(): boolean {
    return this.paused
  }

  sent(bytes: number): void {
    this.unacked += bytes
    if (!this.paused && this.unacked > this.high) {
      this.paused = true
      this.pause()
      this.watchStall()
    }
  }

  ack(bytes: number): void {
    if (bytes > 0) this.stalls = 0
    this.unacked = Math.max(0, this.unacked - bytes)
    if (this.paused) {
      if (this.unacked < this.low) this.release()
      else this.watchStall()
    }
  }

  /** Forget the backlog (a fresh stream after a reconnect, or a renderer that vanished). */
  reset(): void {
    this.unacked = 0
    this.stalls = 0
    if (this.paused) this.release()
  }

  dispose(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer)
    this.stallTimer = null
  }

  private release(): void {
    this.paused = false
    if (this.stallTimer) clearTimeout(this.stallTimer)
    this.stallTimer = null
    this.resume()
  }

  private watchStall(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer)
    // A window that is alive but hung (Electron queues what main sends it) gets a screenful of output now and then,
    // ever more rarely, rather than 4 MiB every 5 s; a window that went away is replaced by one that redraws (reset).
    const wait = Math.min(this.maxStallMs, this.stallMs * 2 ** this.stalls)
    this.stallTimer = setTimeout(() => {
      this.stallTimer = null
      if (this.paused) {
        this.stalls += 1
        this.unacked = 0
        this.release()
      }
    }, wait)
  }
}
