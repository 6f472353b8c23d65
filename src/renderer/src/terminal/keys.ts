/**
 * macOS text-editing keys a terminal does not get by itself (⌘ combinations are the app's), as VS Code's
 * terminal and iTerm2's "natural text editing" send them: ⌘← and ⌘→ go to the start and end of the line
 * (Ctrl-A, Ctrl-E), ⌘⌫ deletes to its start (Ctrl-U). ⌥← and ⌥→ need nothing: xterm sends word moves itself.
 * Returns what to send to the shell, or null to leave the key alone.
 */
export function macEditingKey(ev: Pick<KeyboardEvent, 'key' | 'metaKey' | 'ctrlKey' | 'altKey' | 'shiftKey'>): string | null {
  if (!ev.metaKey || ev.ctrlKey || ev.altKey || ev.shiftKey) return null
  if (ev.key === 'ArrowLeft') return '\x01'
  if (ev.key === 'ArrowRight') return '\x05'
  if (ev.key === 'Backspace') return '\x15'
  return null
}

/**
 * Ctrl keys xterm.js sends nothing for, which local terminals (iTerm2, Terminal.app, GNOME Terminal) send as control
 * characters: Ctrl+/ is ^_ (undo in readline, zsh and emacs), Ctrl+2 and Ctrl+@ are ^@ (set mark). On macOS Ctrl+- is ^_
 * too, as in iTerm2 and Terminal.app (elsewhere it is the app's Zoom Out, as in GNOME Terminal). Returns what to send,
 * or null to leave the key alone.
 */
export function controlCharKey(ev: Pick<KeyboardEvent, 'key' | 'metaKey' | 'ctrlKey' | 'altKey' | 'shiftKey'>, mac = false): string | null {
  if (!ev.ctrlKey || ev.metaKey || ev.altKey) return null
  if ((ev.key === '/' || (mac && ev.key === '-')) && !ev.shiftKey) return '\x1f'
  if ((ev.key === '2' && !ev.shiftKey) || ev.key === '@') return '\x00'
  return null
}
