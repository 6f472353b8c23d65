import { describe, expect, it } from 'vitest'
import { UnderlineColours } from './underline'

const fix = (...chunks: string[]) => {
  const u = new UnderlineColours()
  const out = chunks.map((c) => u.fix(Buffer.from(c, 'latin1')).toString('latin1'))
  return out
}

describe('UnderlineColours', () => {
  it("puts the colour-space field into tmux's underline colour, as xterm.js reads the colon form", () => {
    expect(fix('a\x1b[4:3m\x1b[58:2:255:0:0mred\x1b[59m')).toEqual(['a\x1b[4:3m\x1b[58:2::255:0:0mred\x1b[59m'])
    expect(fix('\x1b[58:2:1:2:3m\x1b[58:2:4:5:6m')).toEqual(['\x1b[58:2::1:2:3m\x1b[58:2::4:5:6m'])
  })

  it('leaves the standard form, indexed colours, semicolons and other output as they are (the same buffer)', () => {
    for (const text of ['\x1b[58:2::255:0:0m', '\x1b[58:2:0:255:0:0m', '\x1b[58:5:196m', '\x1b[58;2;255;0;0m', 'plain \x1b[1mtext\x1b[0m']) {
      const u = new UnderlineColours()
      const chunk = Buffer.from(text, 'latin1')
      expect(u.fix(chunk)).toBe(chunk)
    }
  })

  it('holds a sequence cut by a chunk boundary until the rest comes, wherever the cut is', () => {
    const whole = 'x\x1b[58:2:255:0:0my'
    for (let cut = 1; cut < whole.length; cut++) {
      const parts = fix(whole.slice(0, cut), whole.slice(cut))
      expect(parts.join('')).toBe('x\x1b[58:2::255:0:0my')
    }
  })

  it('holds only what may start the sequence', () => {
    expect(fix('text\x1b[58', ':2:1:2:3m')).toEqual(['text', '\x1b[58:2::1:2:3m'])
    expect(fix('text\x1b', '[1m')).toEqual(['text', '\x1b[1m'])
    expect(fix('text\x1b[1', 'm')).toEqual(['text\x1b[1', 'm'])
  })
})
