import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { buildAppMenu, buildContextMenu, type AppMenuAction } from '../../src/main/app-menu'

type Item = MenuItemConstructorOptions
const flat = (items: Item[]): Item[] => items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flat(i.submenu) : [])])
const menuFor = (platform: NodeJS.Platform, development = false) => {
  const run = vi.fn<(a: AppMenuAction) => void>()
  return { items: flat(buildAppMenu({ platform, development, appName: 'CAL' }, run)), run }
}
const byLabel = (items: Item[], label: string) => items.find((i) => i.label === label)!
const click = (item: Item) => (item.click as () => void)()

describe('application menu on macOS', () => {
  const { items, run } = menuFor('darwin')

  it('⌘T, ⌘W, ⌘K and the tab switches are CAL items that reach the page; the window closes with ⇧⌘W', () => {
    for (const [label, accelerator, command] of [
      ['New Terminal Tab', 'Cmd+T', 'newTab'],
      ['Close Tab', 'Cmd+W', 'closeTab'],
      ['Command Palette…', 'Cmd+K', 'palette'],
      ['Show Next Tab', 'Cmd+Shift+]', 'nextTab'],
      ['Show Previous Tab', 'Cmd+Shift+[', 'previousTab'],
      ['Clear Scrollback', 'Alt+Cmd+K', 'clearScrollback'],
    ] as const) {
      const item = byLabel(items, label)
      expect(item.accelerator).toBe(accelerator)
      click(item)
      expect(run).toHaveBeenLastCalledWith({ kind: 'command', command })
    }
    expect(byLabel(items, 'Close Window').accelerator).toBe('Shift+Cmd+W')
    click(byLabel(items, 'Close Window'))
    expect(run).toHaveBeenLastCalledWith({ kind: 'closeWindow' })
    // No role that would take ⌘W back (Electron's "close" and "windowMenu" both bind it).
    expect(items.filter((i) => i.role === 'close' || i.role === 'windowMenu' || i.role === 'fileMenu')).toEqual([])
    expect(items.filter((i) => i.accelerator === 'Cmd+W' || i.accelerator === 'CmdOrCtrl+W')).toHaveLength(1)
  })

  it('has Settings… on ⌘, in the app menu, and the Edit roles that make ⌘C/⌘V work in the terminal', () => {
    const settings = byLabel(items, 'Settings…')
    expect(settings.accelerator).toBe('Cmd+,')
    click(settings)
    expect(run).toHaveBeenLastCalledWith({ kind: 'settings' })
    expect(items.map((i) => i.role).filter(Boolean)).toEqual(expect.arrayContaining(['about', 'hide', 'quit', 'undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']))
  })

  it('the app cannot be reloaded or inspected from the menu; a development build can', () => {
    const roles = (list: Item[]) => list.map((i) => i.role).filter(Boolean)
    for (const role of ['reload', 'forceReload', 'toggleDevTools'] as const) expect(roles(items)).not.toContain(role)
    expect(roles(menuFor('darwin', true).items)).toEqual(expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools']))
  })
})

describe('application menu on Linux and Windows', () => {
  for (const platform of ['linux', 'win32'] as const) {
    it(`${platform}: registers no key (the shell keeps Ctrl+W, Ctrl+R, Ctrl+A…) and shows the page's shortcuts`, () => {
      const { items, run } = menuFor(platform, true)
      const real = items.filter((i) => i.type !== 'separator')
      expect(real.length).toBeGreaterThan(10)
      expect(real.filter((i) => i.registerAccelerator !== false)).toEqual([])
      expect(byLabel(items, 'Close Tab').accelerator).toBe('Ctrl+Shift+W')
      expect(byLabel(items, 'New Terminal Tab').accelerator).toBe('Ctrl+Shift+T')
      expect(byLabel(items, 'Clear Scrollback').accelerator).toBeUndefined()
      click(byLabel(items, 'Clear Scrollback'))
      expect(run).toHaveBeenLastCalledWith({ kind: 'command', command: 'clearScrollback' })
      click(byLabel(items, 'Settings…'))
      expect(run).toHaveBeenLastCalledWith({ kind: 'settings' })
      // No macOS-only app menu.
      expect(items.some((i) => i.role === 'services' || i.role === 'hideOthers')).toBe(false)
    })
  }
})

describe('right-click menu', () => {
  const flags = { canCut: false, canCopy: true, canPaste: true, canSelectAll: true }
  const roles = (items: Item[]) => items.map((i) => i.role ?? i.type)

  it("in a terminal (xterm's text field): copy its selection, paste, select all", () => {
    const items = buildContextMenu({ isEditable: true, selectionText: 'ls -la', editFlags: flags })
    expect(roles(items)).toEqual(['cut', 'copy', 'paste', 'separator', 'selectAll'])
    expect(items.find((i) => i.role === 'cut')!.enabled).toBe(false)
  })

  it('on selected text: Copy only; on nothing: no menu', () => {
    expect(roles(buildContextMenu({ isEditable: false, selectionText: 'a VM name', editFlags: flags }))).toEqual(['copy'])
    expect(buildContextMenu({ isEditable: false, selectionText: ' ', editFlags: flags })).toEqual([])
  })
})
