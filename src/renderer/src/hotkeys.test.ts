import { describe, expect, it } from 'vitest'
import { matchHotkey, modLabel, settingsKeyLabel, type KeyLike } from './hotkeys'

const key = (k: Partial<KeyLike>): KeyLike => ({ key: '', code: '', metaKey: false, ctrlKey: false, altKey: false, shiftKey: false, ...k })

describe('hotkeys', () => {
  it('uses ⌘ on macOS', () => {
    expect(matchHotkey(key({ key: '3', code: 'Digit3', metaKey: true }), true, false)).toEqual({ kind: 'workspace', index: 2 })
    expect(matchHotkey(key({ key: 't', code: 'KeyT', metaKey: true }), true, true)).toEqual({ kind: 'newTab' })
    expect(matchHotkey(key({ key: 'w', metaKey: true }), true, true)).toEqual({ kind: 'closeTab' })
    expect(matchHotkey(key({ key: 'k', metaKey: true }), true, false)).toEqual({ kind: 'palette' })
    // Ctrl+K on a Mac belongs to the shell (kill line).
    expect(matchHotkey(key({ key: 'k', ctrlKey: true }), true, true)).toBeNull()
  })

  it('uses Ctrl elsewhere, and Ctrl+Shift inside a terminal so the shell keeps Ctrl+W', () => {
    expect(matchHotkey(key({ key: 'k', ctrlKey: true }), false, false)).toEqual({ kind: 'palette' })
    expect(matchHotkey(key({ key: 'w', ctrlKey: true }), false, true)).toBeNull()
    expect(matchHotkey(key({ key: 'W', ctrlKey: true, shiftKey: true }), false, true)).toEqual({ kind: 'closeTab' })
    expect(matchHotkey(key({ key: '!', code: 'Digit1', ctrlKey: true, shiftKey: true }), false, true)).toEqual({ kind: 'workspace', index: 0 })
  })

  it('shows off macOS the shortcuts that work in a terminal too (Ctrl+Shift+T, not Ctrl+T, which is the shell\'s)', () => {
    expect(modLabel(true)).toBe('⌘')
    expect(modLabel(false)).toBe('Ctrl+Shift+')
    // Settings' key needs no Shift anywhere, so none is shown (the README's table says Ctrl+,).
    expect(settingsKeyLabel(modLabel(true))).toBe('⌘,')
    expect(settingsKeyLabel(modLabel(false))).toBe('Ctrl+,')
    for (const [k, code, kind] of [['T', 'KeyT', 'newTab'], ['W', 'KeyW', 'closeTab'], ['K', 'KeyK', 'palette'], ['!', 'Digit1', 'workspace'], ['<', 'Comma', 'settings']] as const) {
      for (const inTerminal of [true, false]) expect(matchHotkey(key({ key: k, code, ctrlKey: true, shiftKey: true }), false, inTerminal)).toMatchObject({ kind })
    }
  })

  it('opens Settings with ⌘, or Ctrl+, (no Shift needed in a terminal: the shell has no use for it)', () => {
    expect(matchHotkey(key({ key: ',', code: 'Comma', metaKey: true }), true, true)).toEqual({ kind: 'settings' })
    expect(matchHotkey(key({ key: ',', code: 'Comma', ctrlKey: true }), false, true)).toEqual({ kind: 'settings' })
    expect(matchHotkey(key({ key: ',', code: 'Comma', ctrlKey: true }), true, true)).toBeNull()
  })

  it('switches tabs with ⌘⇧] / ⌘⇧[ on macOS and Ctrl+Tab / Ctrl+Shift+Tab elsewhere, in a terminal too', () => {
    expect(matchHotkey(key({ key: '}', code: 'BracketRight', metaKey: true, shiftKey: true }), true, true)).toEqual({ kind: 'nextTab' })
    expect(matchHotkey(key({ key: '{', code: 'BracketLeft', metaKey: true, shiftKey: true }), true, true)).toEqual({ kind: 'previousTab' })
    expect(matchHotkey(key({ key: 'Tab', code: 'Tab', ctrlKey: true }), false, true)).toEqual({ kind: 'nextTab' })
    expect(matchHotkey(key({ key: 'Tab', code: 'Tab', ctrlKey: true, shiftKey: true }), false, true)).toEqual({ kind: 'previousTab' })
    // ⌘] without Shift is not a tab switch (editors indent with it).
    expect(matchHotkey(key({ key: ']', code: 'BracketRight', metaKey: true }), true, false)).toBeNull()
  })

  it('clears the scrollback with ⌥⌘K on macOS (Option makes the key "˚", so the physical key is what counts)', () => {
    expect(matchHotkey(key({ key: '˚', code: 'KeyK', metaKey: true, altKey: true }), true, true)).toEqual({ kind: 'clearScrollback' })
    expect(matchHotkey(key({ key: 'k', code: 'KeyK', ctrlKey: true, altKey: true }), false, true)).toBeNull()
    expect(matchHotkey(key({ key: 'K', code: 'KeyK', metaKey: true, altKey: true, shiftKey: true }), true, true)).toBeNull()
  })

  it('ignores everything else', () => {
    expect(matchHotkey(key({ key: 't' }), false, false)).toBeNull()
    expect(matchHotkey(key({ key: 'x', ctrlKey: true }), false, false)).toBeNull()
    expect(matchHotkey(key({ key: 't', ctrlKey: true, altKey: true }), false, false)).toBeNull()
    expect(matchHotkey(key({ key: '0', code: 'Digit0', ctrlKey: true }), false, false)).toBeNull()
  })
})
