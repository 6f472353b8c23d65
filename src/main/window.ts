import { BrowserWindow, Menu, screen } from 'electron'
import { buildContextMenu } from './app-menu'
import { restoreBounds, DEFAULT_SIZE, type Bounds } from './window-state'
import { DEV_BUILD } from './dev-build'

export interface MainWindowOptions {
  preloadPath: string
  pageUrl: string
  /** Bounds saved last time (validated against the connected displays here). */
  savedBounds: unknown
  saveBounds(bounds: Bounds): void
  /** False while quitting: then closing really closes. Otherwise closing hides, and CAL stays in the menu bar. */
  hideOnClose(): boolean
  showInTaskbar: boolean
}

/** The locked-down web preferences of every CAL window (the smoke test checks them in the built bundle). */
export function securePreferences(preloadPath: string): Electron.WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    // No developer tools outside a development build: with window.cal, a console is a shell on this Mac for
    // anyone talked into pasting into it.
    devTools: DEV_BUILD,
  }
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const bounds = restoreBounds(
    options.savedBounds,
    screen.getAllDisplays().map((d) => d.workArea),
  )
  const win = new BrowserWindow({
    ...(bounds ?? DEFAULT_SIZE),
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'CAL',
    skipTaskbar: !options.showInTaskbar,
    webPreferences: securePreferences(options.preloadPath),
  })
  const contents = win.webContents
  // CAL is one page: no navigation, no popups, no <webview>. Links leave through shell:openExternal.
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  contents.on('will-navigate', (event) => event.preventDefault())
  contents.on('will-redirect', (event) => event.preventDefault())
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.on('context-menu', (_event, params) => {
    const items = buildContextMenu(params)
    if (items.length > 0) Menu.buildFromTemplate(items).popup({ window: win })
  })

  let saveTimer: NodeJS.Timeout | undefined
  const save = () => {
    clearTimeout(saveTimer)
    saveTimer = setTimeout(() => {
      if (!win.isDestroyed() && !win.isMinimized() && !win.isFullScreen()) options.saveBounds(win.getNormalBounds())
    }, 500)
  }
  win.on('resize', save)
  win.on('move', save)
  win.on('close', (event) => {
    if (!win.isMinimized() && !win.isFullScreen()) options.saveBounds(win.getNormalBounds())
    if (options.hideOnClose()) {
      event.preventDefault()
      win.hide()
    }
  })
  win.once('ready-to-show', () => win.show())
  void win.loadURL(options.pageUrl)
  return win
}
