import { describe, expect, it } from 'vitest'
import { pasteText } from './paste'

describe('pasteText', () => {
  it('drops an end-of-paste marker and every other control character, so a paste cannot run what it carries', () => {
    expect(pasteText('echo safe\x1b[201~rm -rf ~\n')).toBe('echo safe[201~rm -rf ~\n')
    expect(pasteText('a\x03b\x04c\x7fd\x9b201~e\x00')).toBe('abcd201~e')
  })

  it('keeps text, tabs, line breaks and characters beyond ASCII as they are', () => {
    const text = 'def f():\n\treturn "é 日本 👍"\r\nnext\u00a0line'
    expect(pasteText(text)).toBe(text)
  })
})
