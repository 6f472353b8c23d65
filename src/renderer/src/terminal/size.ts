/** Columns and rows that fit the terminal pane, so the remote side starts at the right size. */
export function terminalSize(): { cols: number; rows: number } {
  const el = document.querySelector<HTMLElement>('[data-terminal-body]')
  const w = el?.clientWidth || 960
  const h = el?.clientHeight || 540
  // Cell size of a 13 px monospace font; TerminalView refits precisely once mounted.
  return { cols: clamp(Math.floor((w - 16) / 7.8), 20, 1000), rows: clamp(Math.floor((h - 8) / 17), 5, 500) }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n))
}
