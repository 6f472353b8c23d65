import { describe, expect, it } from 'vitest'
import { controlCharKey, macEditingKey } from './keys'

const key = (k: string, mods: Partial<Record<'metaKey' | 'ctrlKey' | 'altKey' | 'shiftKey', boolean>> = {}) => ({
  key: k,
  metaKey: false,
  ctrlKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
})

describe('macOS editing keys in the terminal', () => {
  it('⌘← / ⌘→ go to the start / end of the line, ⌘⌫ deletes to its start', () => {
    expect(macEditingKey(key('ArrowLeft', { metaKey: true }))).toBe('\x01')
    expect(macEditingKey(key('ArrowRight', { metaKey: true }))).toBe('\x05')
    expect(macEditingKey(key('Backspace', { metaKey: true }))).toBe('\x15')
  })

  it('leaves every other key to xterm and the app: no ⌘, other modifiers too, other keys', () => {
    expect(macEditingKey(key('ArrowLeft'))).toBeNull()
    expect(macEditingKey(key('ArrowLeft', { metaKey: true, shiftKey: true }))).toBeNull()
    expect(macEditingKey(key('ArrowLeft', { metaKey: true, altKey: true }))).toBeNull()
    expect(macEditingKey(key('c', { metaKey: true }))).toBeNull()
    expect(macEditingKey(key('ArrowUp', { metaKey: true }))).toBeNull()
  })
})

describe('Ctrl keys xterm.js leaves out', () => {
  it('Ctrl+/ is ^_ and Ctrl+2 or Ctrl+@ is ^@, as in local terminals', () => {
    expect(controlCharKey(key('/', { ctrlKey: true }))).toBe('\x1f')
    expect(controlCharKey(key('2', { ctrlKey: true }))).toBe('\x00')
    expect(controlCharKey(key('@', { ctrlKey: true, shiftKey: true }))).toBe('\x00')
    // Ctrl+- on macOS, as iTerm2 sends it; elsewhere it stays the app's Zoom Out.
    expect(controlCharKey(key('-', { ctrlKey: true }), true)).toBe('\x1f')
    expect(controlCharKey(key('-', { ctrlKey: true }))).toBeNull()
  })

  it('leaves the rest alone: without Ctrl, with ⌘ or Alt too, other keys', () => {
    expect(controlCharKey(key('/'))).toBeNull()
    expect(controlCharKey(key('/', { ctrlKey: true, metaKey: true }))).toBeNull()
    expect(controlCharKey(key('/', { ctrlKey: true, altKey: true }))).toBeNull()
    expect(controlCharKey(key('c', { ctrlKey: true }))).toBeNull()
  })
})
