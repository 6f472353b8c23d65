/** What tmux writes before an underline colour's red, green and blue: SGR 58, colour mode 2 (see UnderlineColours). */
const PREFIX = Buffer.from('\x1b[58:2:')
const COLON = Buffer.from(':')
/** The longest tmux's form can be: PREFIX, then "255:255:255" and its final byte. */
const LONGEST = PREFIX.length + 12

/**
 * tmux writes an underline colour to a terminal with its `usstyle` feature as `ESC [ 58:2:R:G:B m`, without the
 * colour-space field that ITU T.416 puts after the 2, and xterm.js reads the colon form by the standard:
 * `58:2:255:0:0` was colour space 255, red 0, green 0, and the underline came out black. The empty field is put in
 * (`58:2::255:0:0`) where exactly three numbers follow, so the standard form passes as it is. Only for tmux's
 * output, which always writes it so (its scrollback, captured for a redraw, uses semicolons, which xterm.js reads
 * right). A chunk that ends part-way through such a sequence keeps that part for the next: xterm would wait for the
 * rest of the sequence before drawing anything too. What a closed channel held is dropped with it.
 */
export class UnderlineColours {
  private held: Buffer | null = null

  fix(chunk: Buffer): Buffer {
    const data = this.held ? Buffer.concat([this.held, chunk]) : chunk
    this.held = null
    let at = data.indexOf(PREFIX)
    let out: Buffer[] | null = null
    let from = 0
    for (; at !== -1; at = data.indexOf(PREFIX, at + PREFIX.length)) {
      const numbers = countNumbers(data, at + PREFIX.length)
      if (numbers === null) {
        // Cut off at the chunk's end: the rest decides.
        this.held = Buffer.from(data.subarray(at))
        break
      }
      if (numbers !== 3) continue
      ;(out ??= []).push(data.subarray(from, at + PREFIX.length), COLON)
      from = at + PREFIX.length
    }
    const end = this.held ? at : heldTail(data)
    if (!this.held && end < data.length) this.held = Buffer.from(data.subarray(end))
    if (!out) return end === data.length ? data : data.subarray(0, end)
    out.push(data.subarray(from, end))
    return Buffer.concat(out)
  }
}

/**
 * How many colon-separated numbers start at `i` before the sequence's final byte: null when the data ends first, 0
 * when no final byte comes within what tmux's form can hold (not its form).
 */
function countNumbers(data: Buffer, i: number): number | null {
  let count = 1
  for (const end = i + LONGEST - PREFIX.length; i < data.length && i < end; i++) {
    const b = data[i]!
    if (b === 0x3a) count++
    else if (b < 0x30 || b > 0x39) return count
  }
  return i === data.length ? null : 0
}

/** Where a trailing start of PREFIX (ESC, ESC [, … up to ESC [ 58:2) begins, or the data's length when it has none. */
function heldTail(data: Buffer): number {
  // Only the last bytes are looked at: output without an ESC there (a `cat`) costs no scan of the whole chunk.
  const from = Math.max(0, data.length - PREFIX.length + 1)
  const found = data.subarray(from).lastIndexOf(0x1b)
  if (found === -1) return data.length
  const esc = from + found
  return data.subarray(esc).equals(PREFIX.subarray(0, data.length - esc)) ? esc : data.length
}
