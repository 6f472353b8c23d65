import { useEffect } from 'react'
import { matchHotkey, type Hotkey } from '../hotkeys'
import { activeTab, contextKey, tabsFor, useSessions } from '../store/sessions'
import { useUi } from '../store/ui'
import { useVms } from '../store/vms'
import { clearScrollback, closeTerminal, openTerminal } from '../actions'
import { restoreFocus } from '../components/Modal'

/**
 * A shortcut that changed the view may have removed what had the focus (a terminal, a field of the view left): once
 * the new view is drawn, focus that fell to the page's body goes to its first control, where keys reach something.
 */
function keepKeyboard(): void {
  // Two frames: the browser moves the focus off a control hidden by the new view only when it draws it.
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      const now = document.activeElement
      if (now === null || now === document.body || (now instanceof HTMLElement && now.offsetParent === null)) restoreFocus(null)
    }),
  )
}

/**
 * Run one shortcut, typed in the page or chosen in the native menu (the 'app:command' event; on macOS the menu
 * takes ⌘T/⌘W/⌘K before the page sees them). False when it does not apply now (a sheet is open, no tab to close).
 */
export function runHotkey(hotkey: Hotkey): boolean {
  const ui = useUi.getState()
  // A sheet is modal: only ⌘K (to close the palette) passes through.
  if (ui.dialog && hotkey.kind !== 'palette') return false
  const { vms, selected } = useVms.getState()
  switch (hotkey.kind) {
    case 'palette':
      if (!ui.dialog) ui.setPaletteOpen(!ui.paletteOpen)
      return true
    case 'settings':
      ui.setView('settings')
      keepKeyboard()
      return true
    case 'workspace': {
      const vm = vms[hotkey.index]
      if (!vm) return false
      useVms.getState().select(vm.name)
      if (ui.view === 'settings' || ui.view === 'tasks') ui.setView('workspace')
      keepKeyboard()
      return true
    }
    case 'newTab': {
      const info = vms.find((v) => v.name === selected)
      void openTerminal(info?.state === 'running' ? info.name : null)
      return true
    }
    case 'nextTab':
    case 'previousTab': {
      const s = useSessions.getState()
      const tabs = tabsFor(s.sessions, selected)
      if (ui.view !== 'terminal' || tabs.length < 2) return false
      const context = contextKey(selected)
      const at = Math.max(0, tabs.findIndex((t) => t.id === s.activeByContext[context]))
      const next = tabs[(at + (hotkey.kind === 'nextTab' ? 1 : tabs.length - 1)) % tabs.length]!
      s.activate(context, next.id)
      return true
    }
    case 'closeTab':
    case 'clearScrollback': {
      const s = useSessions.getState()
      const id = activeTab(s.sessions, s.activeByContext, selected)?.id
      if (!id || ui.view !== 'terminal') return false
      void (hotkey.kind === 'closeTab' ? closeTerminal(id) : clearScrollback(id))
      return true
    }
  }
}

/** ⌘1..9, ⌘T, ⌘W, ⌘⇧]/[, ⌘K, ⌘, (Ctrl elsewhere), caught before xterm or an input sees them. */
export function useHotkeys(mac: boolean): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target instanceof Element ? e.target : null
      const inTerminal = Boolean(target?.closest('.xterm, [data-terminal-body]'))
      const hotkey = matchHotkey(e, mac, inTerminal)
      if (!hotkey) return
      if (useUi.getState().dialog && hotkey.kind !== 'palette') return
      e.preventDefault()
      e.stopPropagation()
      runHotkey(hotkey)
    }
    window.addEventListener('keydown', onKey, { capture: true })
    return () => window.removeEventListener('keydown', onKey, { capture: true })
  }, [mac])
}
