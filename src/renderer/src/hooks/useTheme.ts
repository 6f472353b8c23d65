import { useEffect } from 'react'
import { useSettings } from '../store/settings'
import { setTerminalFontSize, setTerminalOptionAsMeta, setTerminalTheme } from '../terminal/registry'

/** Applies settings.theme to <html data-theme>, following the system when it is "system". */
export function useTheme(): void {
  const theme = useSettings((s) => s.view?.settings.theme ?? 'system')
  useEffect(() => {
    const media = window.matchMedia('(prefers-color-scheme: dark)')
    const apply = () => {
      const resolved = theme === 'system' ? (media.matches ? 'dark' : 'light') : theme
      document.documentElement.dataset.theme = resolved
      document.documentElement.style.colorScheme = resolved
    }
    apply()
    setTerminalTheme(theme)
    media.addEventListener('change', apply)
    return () => media.removeEventListener('change', apply)
  }, [theme])
}

/** Applies settings.terminalFontSize and terminalOptionAsMeta to every terminal. */
export function useTerminalSettings(): void {
  const size = useSettings((s) => s.view?.settings.terminalFontSize ?? 13)
  const optionAsMeta = useSettings((s) => s.view?.settings.terminalOptionAsMeta ?? false)
  useEffect(() => setTerminalFontSize(size), [size])
  useEffect(() => setTerminalOptionAsMeta(optionAsMeta), [optionAsMeta])
}
