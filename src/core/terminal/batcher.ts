export interface BatcherOptions {
  /** Longest a byte waits before it is sent, once output is flowing. */
  intervalMs?: number
  /** Flush as soon as this many bytes are waiting. */
  maxBytes?: number
}

/**
 * Turns a stream of byte chunks into few, large byte messages: the first chunk after a quiet spell goes out at
 * once (a keystroke's echo is not delayed), then output is gathered for ~16 ms or 64 KB per flush. Output stays
 * UTF-8 bytes all the way to xterm, which decodes it itself: no string is built here and none re-encoded later.
 * A character split across chunks is held back until it is whole, so every message is valid on its own.
 */
export class OutputBatcher {
  private readonly intervalMs: number
  private readonly maxBytes: number
  private parts: Buffer[] = []
  private pendingBytes = 0
  private timer: NodeJS.Timeout | null = null
  private disposed = false

  constructor(
    private readonly flushTo: (data: Buffer) => void,
    opts: BatcherOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 16
    this.maxBytes = opts.maxBytes ?? 64 * 1024
  }

  write(chunk: Buffer | string): void {
    if (this.disposed) return
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
    if (bytes.length === 0) return
    this.parts.push(bytes)
    this.pendingBytes += bytes.length
    if (this.timer === null) {
      // Quiet until now: send immediately, then gather whatever follows during the interval.
      if (this.flush()) this.arm()
    } else if (this.pendingBytes >= this.maxBytes) {
      this.flush()
    }
  }

  /** Send what is waiting now, up to the last whole character; true if anything was sent. */
  flush(): boolean {
    if (this.parts.length === 0) return false
    const all = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.pendingBytes)
    const cut = completeUtf8Length(all)
    // A dangling partial character (at most 3 bytes) is copied so it does not pin the whole chunk.
    this.parts = cut < all.length ? [Buffer.from(all.subarray(cut))] : []
    this.pendingBytes = all.length - cut
    if (cut === 0) return false
    this.flushTo(cut === all.length ? all : all.subarray(0, cut))
    return true
  }

  /** Flush everything, including a dangling partial character (xterm shows it as a replacement), and stop. */
  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.parts.length > 0) this.flushTo(Buffer.concat(this.parts))
    this.parts = []
    this.pendingBytes = 0
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = null
      // Keep ticking while output flows; a lone partial character waits for the write that completes it.
      if (this.flush()) this.arm()
    }, this.intervalMs)
  }
}

/**
 * How many leading bytes of `buf` end on a character boundary: all of them unless the last one to three bytes
 * are the start of a multi-byte UTF-8 sequence that has not arrived in full. Invalid bytes are not held back.
 */
export function completeUtf8Length(buf: Uint8Array): number {
  const len = buf.length
  for (let i = len - 1; i >= 0 && i >= len - 4; i--) {
    const b = buf[i]!
    if ((b & 0xc0) === 0x80) continue // a continuation byte: look further back for its lead byte
    if (b < 0xc0) return len // ASCII (or a stray byte): nothing is pending
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2
    return len - i < need ? i : len
  }
  return len
}
