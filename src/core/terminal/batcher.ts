import { StringDecoder } from 'node:string_decoder'

export interface BatcherOptions {
  /** Longest a byte waits before it is sent, once output is flowing. */
  intervalMs?: number
  /** Flush as soon as this many bytes are waiting. */
  maxBytes?: number
}

/**
 * Turns a stream of byte chunks into few, large string messages: the first chunk after a quiet spell goes out at
 * once (a keystroke's echo is not delayed), then output is gathered for ~16 ms or 64 KB per flush. A UTF-8
 * character split across chunks is held back by the StringDecoder until it is whole.
 */
export class OutputBatcher {
  private readonly decoder = new StringDecoder('utf8')
  private readonly intervalMs: number
  private readonly maxBytes: number
  private parts: string[] = []
  private pendingBytes = 0
  private timer: NodeJS.Timeout | null = null
  private disposed = false

  constructor(
    private readonly flushTo: (data: string) => void,
    opts: BatcherOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 16
    this.maxBytes = opts.maxBytes ?? 64 * 1024
  }

  write(chunk: Buffer | string): void {
    if (this.disposed) return
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk)
    this.pendingBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length
    if (text) this.parts.push(text)
    if (this.timer === null) {
      // Quiet until now: send immediately, then gather whatever follows during the interval.
      this.flush()
      this.arm()
    } else if (this.pendingBytes >= this.maxBytes) {
      this.flush()
    }
  }

  /** Send what is waiting now (a partial UTF-8 character stays in the decoder). */
  flush(): void {
    this.pendingBytes = 0
    if (this.parts.length === 0) return
    const data = this.parts.length === 1 ? this.parts[0]! : this.parts.join('')
    this.parts = []
    this.flushTo(data)
  }

  /** Flush everything, including a dangling partial character, and stop. */
  dispose(): void {
    if (this.disposed) return
    const rest = this.decoder.end()
    if (rest) this.parts.push(rest)
    this.flush()
    this.disposed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = null
      if (this.parts.length > 0) {
        this.flush()
        this.arm()
      }
    }, this.intervalMs)
  }
}
