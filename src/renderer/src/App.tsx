import { useEffect } from 'react'
import { bindEvents, bootstrap } from './store/events'
import { useUi } from './store/ui'
import { useHotkeys } from './hooks/useHotkeys'
import { useTerminalSettings, useTheme } from './hooks/useTheme'
import { isMacPlatform, modLabel } from './hotkeys'
import { Sidebar } from './components/Sidebar'
import { MainPane } from './components/MainPane'
import { Dialogs } from './components/Dialogs'
import { Toasts } from './components/Toasts'
import { CommandPalette } from './components/CommandPalette'

const mac = isMacPlatform(navigator.platform)

export function App() {
  const paletteOpen = useUi((s) => s.paletteOpen)
  useTheme()
  useTerminalSettings()
  useHotkeys(mac)
  useEffect(() => {
    const dispose = bindEvents()
    void bootstrap()
    return dispose
  }, [])
  return (
    <div className={mac ? 'app platform-mac' : 'app'}>
      <Sidebar mod={modLabel(mac)} />
      <MainPane mod={modLabel(mac)} />
      <Dialogs />
      {paletteOpen && <CommandPalette mod={modLabel(mac)} />}
      <Toasts />
    </div>
  )
}
