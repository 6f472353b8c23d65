import { useEffect, useRef } from 'react'
import { useUi } from '../store/ui'

/**
 * For Settings and Activity, views that are not a workspace's: they take the keyboard when shown (Ctrl+, left it on
 * the button that had it, behind the view), and Escape goes back to the workspace view they were opened from, unless
 * a sheet or the palette is open or a field is being edited. Returns the ref for the view's scrolling element.
 */
export function useEscapeBack() {
  const pane = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const now = document.activeElement
    if (now === null || now === document.body || !pane.current?.contains(now)) pane.current?.focus({ preventScroll: true })
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return
      const ui = useUi.getState()
      if (ui.dialog || ui.paletteOpen) return
      const target = e.target as HTMLElement | null
      if (target?.closest('input, select, textarea, [contenteditable="true"], .xterm')) return
      e.preventDefault()
      ui.goBack()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
  return pane
}
