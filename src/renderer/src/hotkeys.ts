/** Keyboard shortcuts: ⌘ on macOS, Ctrl elsewhere. Pure matching so it can be tested without a DOM. */

export type Hotkey =
  | { kind: 'workspace'; index: number }
  | { kind: 'newTab' }
  | { kind: 'closeTab' }
  | { kind: 'nextTab' }
  | { kind: 'previousTab' }
  | { kind: 'palette' }
  | { kind: 'settings' }
  | { kind: 'clearScrollback' }

export type KeyLike = {
  key: string
  /** Physical key ("Digit1", "KeyT"): Shift changes key, not code. */
  code: string
  metaKey: boolean
  ctrlKey: boolean
  altKey: boolean
  shiftKey: boolean
}

export function isMacPlatform(platform: string): boolean {
  return /mac|iphone|ipad/i.test(platform)
}

/**
 * ⌘1..9 (workspaces), ⌘T, ⌘W, ⌘⇧] / ⌘⇧[ (next / previous tab; Ctrl+Tab / Ctrl+Shift+Tab elsewhere), ⌘K
 * (palette), ⌘, (Settings), ⌥⌘K (clear the scrollback, macOS). Outside macOS, Ctrl+W/T/K mean something to the
 * shell (delete word, transpose, kill line), so inside a terminal the shortcuts need Shift as well
 * (Ctrl+Shift+W), as GNOME Terminal and Windows Terminal do.
 */
export function matchHotkey(e: KeyLike, mac: boolean, inTerminal: boolean): Hotkey | null {
  const mod = mac ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey
  // ⌥⌘K clears the scrollback, as in Terminal.app (macOS only: elsewhere it is in the palette).
  if (mac && mod && e.altKey && !e.shiftKey && e.code === 'KeyK') return { kind: 'clearScrollback' }
  if (!mod || e.altKey) return null
  // ⌘, / Ctrl+, (Settings) means nothing to a shell, so it needs no Shift anywhere; nor does Ctrl+Tab.
  if (e.code === 'Comma' || (e.key === ',' && !e.shiftKey)) return { kind: 'settings' }
  if (mac && e.shiftKey && (e.code === 'BracketRight' || e.code === 'BracketLeft')) return { kind: e.code === 'BracketRight' ? 'nextTab' : 'previousTab' }
  if (!mac && e.key === 'Tab') return { kind: e.shiftKey ? 'previousTab' : 'nextTab' }
  if (!mac && inTerminal && !e.shiftKey) return null
  const digit = /^Digit([1-9])$/.exec(e.code)?.[1] ?? (/^[1-9]$/.test(e.key) ? e.key : null)
  if (digit) return { kind: 'workspace', index: Number(digit) - 1 }
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key
  if (key === 't') return { kind: 'newTab' }
  if (key === 'w') return { kind: 'closeTab' }
  if (key === 'k') return { kind: 'palette' }
  return null
}

/** Settings' key as shown: ⌘, or Ctrl+, (it needs no Shift, even in a terminal; see matchHotkey). */
export function settingsKeyLabel(mod: string): string {
  return `${mod.replace('Shift+', '')},`
}

export function modLabel(mac: boolean): string {
  // Off macOS the shortcuts shown are the ones that work everywhere, in a terminal too (see matchHotkey).
  return mac ? '⌘' : 'Ctrl+Shift+'
}
