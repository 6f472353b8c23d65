import { useEffect, useRef } from 'react'
import { useUi } from '../store/ui'
import { restoreFocus, takeFocus } from '../components/Modal'

/**
 * For Settings and Activity, views that are not a workspace's: they take the keyboard when shown (Ctrl+, left it on
 * the button that had it, behind the view), and Escape goes back to the workspace view they were opened from, unless
 * a sheet or the palette is open or a field is being edited. Returns the ref for the view's scrolling element.
 *
 * When the view goes (Escape, a palette command), the focus it had goes with it, to <body>, where keys reach nothing:
 * it goes back to what had it before the view opened (the Settings button, a terminal) when that is still there,
 * else to the Workspaces list, else to the main view's first control.
 */
export function useEscapeBack() {
  const pane = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const now = document.activeElement
    const opener = now !== null && now !== document.body && !pane.current?.contains(now) ? now : null
    if (!pane.current?.contains(now)) pane.current?.focus({ preventScroll: true })
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
    return () => {
      window.removeEventListener('keydown', onKey)
      returnFocus(opener)
    }
  }, [])
  return pane
}

/**
 * After the view is gone. Two frames later: a terminal shown again focuses itself first (TerminalView), and the
 * browser moves the focus off a control hidden by the new view only when it draws it.
 */
function returnFocus(opener: Element | null): void {
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      const now = document.activeElement
      if (now !== null && now !== document.body && !(now instanceof HTMLElement && now.getClientRects().length === 0)) return
      if (takeFocus(opener)) return
      // The list with a workspace selected, which arrows then move through; with none, the view's first control.
      if (takeFocus(document.querySelector('[role="listbox"].vm-list[aria-activedescendant]'))) return
      restoreFocus(null)
    }),
  )
}
