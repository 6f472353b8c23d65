import type { ISearchDecorationOptions } from '@xterm/addon-search'
import type { ITheme } from '@xterm/xterm'

export type ThemeChoice = 'system' | 'light' | 'dark'

export const DARK_THEME: ITheme = {
  background: '#1e1e1e',
  foreground: '#d4d4d4',
  cursor: '#d4d4d4',
  selectionBackground: '#264f78',
  black: '#000000',
  red: '#cd3131',
  green: '#0dbc79',
  yellow: '#e5e510',
  blue: '#2472c8',
  magenta: '#bc3fbc',
  cyan: '#11a8cd',
  white: '#e5e5e5',
  brightBlack: '#666666',
  brightRed: '#f14c4c',
  brightGreen: '#23d18b',
  brightYellow: '#f5f543',
  brightBlue: '#3b8eea',
  brightMagenta: '#d670d6',
  brightCyan: '#29b8db',
  brightWhite: '#e5e5e5',
}

export const LIGHT_THEME: ITheme = {
  background: '#ffffff',
  foreground: '#333333',
  cursor: '#333333',
  selectionBackground: '#add6ff',
  black: '#000000',
  red: '#cd3131',
  green: '#00bc00',
  yellow: '#949800',
  blue: '#0451a5',
  magenta: '#bc05bc',
  cyan: '#0598bc',
  white: '#555555',
  brightBlack: '#666666',
  brightRed: '#cd3131',
  brightGreen: '#14ce14',
  brightYellow: '#b5ba00',
  brightBlue: '#0451a5',
  brightMagenta: '#bc05bc',
  brightCyan: '#0598bc',
  brightWhite: '#a5a5a5',
}

/** How search matches look in each theme (xterm wants #RRGGBB backgrounds). */
export function searchDecorations(theme: ITheme | undefined): ISearchDecorationOptions {
  const dark = theme?.background === DARK_THEME.background
  return {
    matchBackground: dark ? '#5c4a00' : '#fff0a8',
    matchBorder: dark ? '#8a7000' : '#e0c000',
    matchOverviewRuler: '#e0c000',
    activeMatchBackground: dark ? '#b36b00' : '#ffb050',
    activeMatchBorder: dark ? '#ff9f1a' : '#e07b00',
    activeMatchColorOverviewRuler: '#ff9f1a',
  }
}

const darkQuery = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null

export function resolveTheme(choice: ThemeChoice): ITheme {
  const dark = choice === 'dark' || (choice === 'system' && (darkQuery?.matches ?? false))
  return dark ? DARK_THEME : LIGHT_THEME
}

/** Calls `listener` when the system switches between light and dark. */
export function onSystemThemeChange(listener: () => void): () => void {
  darkQuery?.addEventListener('change', listener)
  return () => darkQuery?.removeEventListener('change', listener)
}
