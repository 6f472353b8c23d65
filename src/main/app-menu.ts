import type { MenuItemConstructorOptions } from 'electron'
import type { AppCommand } from '../shared/menu'

/** What an application-menu item does beyond Electron's own roles; index.ts maps these to the window. */
export type AppMenuAction = { kind: 'settings' } | { kind: 'command'; command: AppCommand['command'] } | { kind: 'closeWindow' }

export interface AppMenuOptions {
  platform: NodeJS.Platform
  /** Only a development build has Reload and Developer Tools items (see DEV_BUILD). */
  development: boolean
  appName: string
}

const separator: MenuItemConstructorOptions = { type: 'separator' }

/**
 * CAL's application menu, replacing Electron's default one, which does not fit a terminal app:
 * - on macOS a menu accelerator takes the key before the page sees it, so the default ⌘W ("Close Window")
 *   hid the window instead of closing the terminal tab, ⌘R reloaded the page (dropping every terminal's
 *   scrollback) and ⌥⌘I opened the developer tools in the shipped app. Here ⌘T, ⌘W and ⌘K are CAL's items
 *   and reach the page as 'app:command' events; the window closes with ⇧⌘W; ⌘, opens Settings.
 * - elsewhere plain Ctrl+letter belongs to the shell (Ctrl+W deletes a word, Ctrl+R searches history, Ctrl+A goes
 *   to the line's start), and text fields edit without a menu: no item registers a key, CAL's items only show
 *   the page's own shortcuts (Ctrl+Shift+T…).
 * The Edit roles stay: on macOS they are what makes ⌘C/⌘V copy and paste in the terminal and in text fields.
 */
export function buildAppMenu(opts: AppMenuOptions, run: (action: AppMenuAction) => void): MenuItemConstructorOptions[] {
  const mac = opts.platform === 'darwin'
  const keys = (macKey: string, otherKey: string | null) => {
    const accelerator = mac ? macKey : otherKey
    return accelerator === null ? {} : { accelerator }
  }
  const command = (label: string, cmd: AppCommand['command'], macKey: string, otherKey: string | null): MenuItemConstructorOptions => ({
    label,
    ...keys(macKey, otherKey),
    click: () => run({ kind: 'command', command: cmd }),
  })
  const settings: MenuItemConstructorOptions = { label: 'Settings…', ...keys('Cmd+,', 'Ctrl+,'), click: () => run({ kind: 'settings' }) }

  const appMenu: MenuItemConstructorOptions = {
    label: opts.appName,
    submenu: [
      { role: 'about', label: `About ${opts.appName}` },
      separator,
      settings,
      separator,
      { role: 'services' },
      separator,
      { role: 'hide', label: `Hide ${opts.appName}` },
      { role: 'hideOthers' },
      { role: 'unhide' },
      separator,
      { role: 'quit', label: `Quit ${opts.appName}` },
    ],
  }
  const fileMenu: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      command('New Terminal Tab', 'newTab', 'Cmd+T', 'Ctrl+Shift+T'),
      command('Close Tab', 'closeTab', 'Cmd+W', 'Ctrl+Shift+W'),
      { label: 'Close Window', ...keys('Shift+Cmd+W', 'Alt+F4'), click: () => run({ kind: 'closeWindow' }) },
      ...(mac ? [] : [separator, settings, separator, { role: 'quit' as const, label: `Quit ${opts.appName}` }]),
    ],
  }
  const editMenu: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
      separator,
      // Where Terminal.app has it; the page has no other key for it off macOS (the palette offers it).
      command('Clear Scrollback', 'clearScrollback', 'Alt+Cmd+K', null),
    ],
  }
  const develop: MenuItemConstructorOptions[] = !opts.development ? [] : [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, separator]
  const viewMenu: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      command('Command Palette…', 'palette', 'Cmd+K', 'Ctrl+Shift+K'),
      separator,
      ...develop,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  }
  const tabs = [command('Show Next Tab', 'nextTab', 'Cmd+Shift+]', 'Ctrl+Tab'), command('Show Previous Tab', 'previousTab', 'Cmd+Shift+[', 'Ctrl+Shift+Tab')]
  const windowMenu: MenuItemConstructorOptions = {
    label: 'Window',
    submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, separator, ...tabs, separator, { role: 'front' }] : [{ role: 'minimize' }, separator, ...tabs],
  }
  const menu = [...(mac ? [appMenu] : []), fileMenu, editMenu, viewMenu, windowMenu]
  return mac ? menu : menu.map(displayOnly)
}

/** The item with its key shown but not registered (Linux, Windows), and the same for its submenu. */
function displayOnly(item: MenuItemConstructorOptions): MenuItemConstructorOptions {
  if (item.type === 'separator') return item
  const submenu = Array.isArray(item.submenu) ? { submenu: item.submenu.map(displayOnly) } : {}
  return { ...item, ...submenu, registerAccelerator: false }
}

/** What Electron's 'context-menu' event says about the spot that was right-clicked (the part CAL uses). */
export interface ContextParams {
  isEditable: boolean
  selectionText: string
  editFlags: { canCut: boolean; canCopy: boolean; canPaste: boolean; canSelectAll: boolean }
}

/**
 * The right-click menu: Electron shows none by itself. In a terminal, xterm moves its hidden text field under the
 * pointer and puts its selection there, so these native roles copy the terminal's selection and paste into it,
 * as in the browser. Empty when there is nothing to offer (right-click on a plain label).
 */
export function buildContextMenu(p: ContextParams): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = []
  if (p.isEditable) items.push({ role: 'cut', enabled: p.editFlags.canCut })
  if (p.isEditable || p.selectionText.trim() !== '') items.push({ role: 'copy', enabled: p.editFlags.canCopy })
  if (p.isEditable) items.push({ role: 'paste', enabled: p.editFlags.canPaste }, separator, { role: 'selectAll', enabled: p.editFlags.canSelectAll })
  return items
}
