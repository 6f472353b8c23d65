import { useEffect } from 'react'
import { matchHotkey } from '../hotkeys'
import { contextKey, tabsFor, useSessions } from '../store/sessions'
import { useUi } from '../store/ui'
import { useVms } from '../store/vms'
import { closeTerminal, openTerminal } from '../actions'

/** ⌘1..9, ⌘T, ⌘W, ⌘K (Ctrl elsewhere), caught before xterm or an input sees them. */
export function useHotkeys(mac: boolean): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target instanceof Element ? e.target : null
      const inTerminal = Boolean(target?.closest('.xterm, [data-terminal-body]'))
      const hotkey = matchHotkey(e, mac, inTerminal)
      if (!hotkey) return
      const ui = useUi.getState()
      // A sheet is modal: only ⌘K (to close the palette) passes through.
      if (ui.dialog && hotkey.kind !== 'palette') return
      e.preventDefault()
      e.stopPropagation()
      const { vms, selected } = useVms.getState()
      switch (hotkey.kind) {
        case 'palette':
          if (!ui.dialog) ui.setPaletteOpen(!ui.paletteOpen)
          return
        case 'workspace': {
          const vm = vms[hotkey.index]
          if (!vm) return
          useVms.getState().select(vm.name)
          if (ui.view === 'settings' || ui.view === 'tasks') ui.setView('workspace')
          return
        }
        case 'newTab': {
          const info = vms.find((v) => v.name === selected)
          void openTerminal(info?.state === 'running' ? info.name : null)
          return
        }
        case 'closeTab': {
          const s = useSessions.getState()
          const tabs = tabsFor(s.sessions, selected)
          const id = s.activeByContext[contextKey(selected)] ?? tabs[0]?.id
          if (id && ui.view === 'terminal' && tabs.some((t) => t.id === id)) void closeTerminal(id)
          return
        }
      }
    }
    window.addEventListener('keydown', onKey, { capture: true })
    return () => window.removeEventListener('keydown', onKey, { capture: true })
  }, [mac])
}
