// A stand-in for the `electron` module, in plain JavaScript so both vitest (vi.mock('electron') in
// test/shell/electron-mock.ts) and plain Node (the main-bundle smoke test's resolution hook) can load it.
// It records what CAL's shell asks Electron to do; `fake.reset()` clears it between tests.
import { EventEmitter } from 'node:events'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'

// Electron's userData folder (window state): per process and worker, created on first write, removed at exit (and with
// the test run's own folder, CAL_FAKE_USER_DATA_ROOT: see test/global-setup.ts, as a worker may end without its exit).
const ownUserData = process.env.CAL_FAKE_USER_DATA ? null : join(process.env.CAL_FAKE_USER_DATA_ROOT ?? tmpdir(), `cal-fake-userdata-${process.pid}-${threadId}`)
let userData = process.env.CAL_FAKE_USER_DATA ?? ownUserData
if (ownUserData) process.on('exit', () => rmSync(ownUserData, { recursive: true, force: true }))

export const fake = {
  calls: [],
  openedExternal: [],
  clipboard: [],
  dialogResponse: 1,
  focusedWindow: null,
  reset() {
    fake.calls.length = 0
    fake.openedExternal.length = 0
    fake.clipboard.length = 0
    fake.dialogResponse = 1
    fake.focusedWindow = null
    ipcMain.handlers.clear()
    ipcMain.listeners.clear()
    BrowserWindow.instances.length = 0
    Tray.instances.length = 0
    Menu.application = null
    Menu.popups.length = 0
    Notification.instances.length = 0
    protocol.handlers.clear()
    protocol.privileged.length = 0
    app.removeAllListeners()
  },
}

class FakeApp extends EventEmitter {
  isPackaged = false
  dock = { show: async () => fake.calls.push(['dock.show']), hide: () => fake.calls.push(['dock.hide']) }
  quitCalls = 0
  whenReady() {
    return Promise.resolve()
  }
  isReady() {
    return true
  }
  getVersion() {
    return '0.0.0-fake'
  }
  getName() {
    return 'CAL'
  }
  getAppPath() {
    return process.cwd()
  }
  getPath(name) {
    return name === 'userData' ? userData : join(userData, name)
  }
  setPath(name, value) {
    if (name === 'userData') userData = value
  }
  requestSingleInstanceLock() {
    return true
  }
  quit() {
    this.quitCalls++
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true } }
    this.emit('before-quit', event)
    if (event.defaultPrevented) return
    const willQuit = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true } }
    this.emit('will-quit', willQuit)
    // Electron exits here unless will-quit was prevented; the app then calls exit() itself.
    if (!willQuit.defaultPrevented) this.exitCodes.push(0)
  }
  /** Exit codes the app exited with, in order (a quit that went through, or app.exit). */
  exitCodes = []
  exit(code = 0) {
    this.exitCodes.push(code)
  }
}
export const app = new FakeApp()

class FakeIpcMain extends EventEmitter {
  handlers = new Map()
  listeners = new Map()
  handle(channel, fn) {
    // Electron refuses a second handler for a channel; so does the fake.
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, fn)
  }
  removeHandler(channel) {
    this.handlers.delete(channel)
  }
  on(channel, fn) {
    const list = this.listeners.get(channel) ?? []
    list.push(fn)
    this.listeners.set(channel, list)
    return super.on(channel, fn)
  }
}
export const ipcMain = new FakeIpcMain()

let nextContentsId = 1
class FakeWebContents extends EventEmitter {
  constructor() {
    super()
    this.id = nextContentsId++
    this.sent = []
    this.url = ''
    this.destroyed = false
    this.windowOpenHandler = null
    this.mainFrame = { url: '', routingId: 1 }
  }
  send(channel, payload) {
    this.sent.push([channel, payload])
  }
  reload() {
    this.reloads = (this.reloads ?? 0) + 1
    this.emit('did-start-loading')
  }
  isDestroyed() {
    return this.destroyed
  }
  setWindowOpenHandler(fn) {
    this.windowOpenHandler = fn
  }
  getURL() {
    return this.url
  }
  isLoading() {
    return false
  }
}

export class BrowserWindow extends EventEmitter {
  static instances = []
  static getAllWindows() {
    return BrowserWindow.instances.filter((w) => !w.destroyed)
  }
  static fromWebContents(contents) {
    return BrowserWindow.instances.find((w) => w.webContents === contents) ?? null
  }
  static getFocusedWindow() {
    return fake.focusedWindow
  }
  constructor(options = {}) {
    super()
    this.options = options
    this.webContents = new FakeWebContents()
    this.bounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width ?? 800, height: options.height ?? 600 }
    this.visible = false
    this.destroyed = false
    this.skipTaskbar = Boolean(options.skipTaskbar)
    BrowserWindow.instances.push(this)
  }
  loadURL(url) {
    this.webContents.url = url
    this.webContents.mainFrame.url = url
    return Promise.resolve()
  }
  loadFile(file) {
    return this.loadURL(`file://${file}`)
  }
  show() {
    this.visible = true
  }
  hide() {
    this.visible = false
  }
  focus() {
    fake.focusedWindow = this
  }
  isFocused() {
    return fake.focusedWindow === this
  }
  isVisible() {
    return this.visible
  }
  isMinimized() {
    return false
  }
  isFullScreen() {
    return false
  }
  restore() {}
  isDestroyed() {
    return this.destroyed
  }
  getBounds() {
    return { ...this.bounds }
  }
  getNormalBounds() {
    return { ...this.bounds }
  }
  setBounds(b) {
    this.bounds = { ...this.bounds, ...b }
  }
  setSkipTaskbar(v) {
    this.skipTaskbar = v
  }
  close() {
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true } }
    this.emit('close', event)
    if (!event.defaultPrevented) this.destroy()
  }
  destroy() {
    this.destroyed = true
    this.webContents.destroyed = true
    this.emit('closed')
  }
}

export class Tray extends EventEmitter {
  static instances = []
  constructor(image) {
    super()
    this.image = image
    this.tooltip = ''
    this.poppedUp = []
    this.contextMenu = null
    this.destroyed = false
    Tray.instances.push(this)
  }
  setImage(image) {
    this.image = image
  }
  setToolTip(text) {
    this.tooltip = text
  }
  popUpContextMenu(menu) {
    this.poppedUp.push(menu)
  }
  setContextMenu(menu) {
    this.contextMenu = menu
  }
  destroy() {
    this.destroyed = true
  }
}

export const Menu = {
  /** The menu the app set last (null: Electron's default one). */
  application: null,
  /** Menus popped up from a window (the right-click menu). */
  popups: [],
  buildFromTemplate(template) {
    const menu = { template, items: template, popup: () => Menu.popups.push(menu) }
    return menu
  },
  setApplicationMenu(menu) {
    Menu.application = menu
  },
}

export const nativeImage = {
  createFromPath(path) {
    return { path, template: false, setTemplateImage(v) { this.template = v }, isEmpty: () => false }
  },
  createEmpty() {
    return { path: '', template: false, setTemplateImage() {}, isEmpty: () => true }
  },
}

export class Notification extends EventEmitter {
  static instances = []
  static isSupported() {
    return true
  }
  constructor(options = {}) {
    super()
    this.options = options
    this.shown = false
    this.closed = false
    Notification.instances.push(this)
  }
  show() {
    this.shown = true
  }
  close() {
    this.closed = true
    this.emit('close')
  }
}

export const shell = {
  openExternal: async (url) => {
    fake.openedExternal.push(url)
  },
  openPath: async () => '',
}

export const clipboard = {
  writeText: (text) => fake.clipboard.push(text),
  readText: () => fake.clipboard.at(-1) ?? '',
}

export const dialog = {
  showMessageBoxSync: (options) => {
    fake.calls.push(['dialog.showMessageBoxSync', options])
    return fake.dialogResponse
  },
  showMessageBox: async (options) => ({ response: dialog.showMessageBoxSync(options), checkboxChecked: false }),
  showErrorBox: (title, content) => fake.calls.push(['dialog.showErrorBox', title, content]),
}

export const protocol = {
  handlers: new Map(),
  privileged: [],
  registerSchemesAsPrivileged(schemes) {
    protocol.privileged.push(...schemes)
  },
  handle(scheme, fn) {
    protocol.handlers.set(scheme, fn)
  },
}

const webRequest = { onHeadersReceived: (fn) => (webRequest.headersListener = fn), headersListener: null }
export const session = {
  defaultSession: {
    webRequest,
    permissionRequestHandler: null,
    permissionCheckHandler: null,
    setPermissionRequestHandler(fn) {
      this.permissionRequestHandler = fn
    },
    setPermissionCheckHandler(fn) {
      this.permissionCheckHandler = fn
    },
  },
}

export const screen = {
  getAllDisplays: () => [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 }, bounds: { x: 0, y: 0, width: 1920, height: 1080 } }],
  getPrimaryDisplay: () => screen.getAllDisplays()[0],
}

export const nativeTheme = { themeSource: 'system', shouldUseDarkColors: false }

export const contextBridge = { exposeInMainWorld: (key, api) => (globalThis[key] = api) }
export const ipcRenderer = { invoke: async () => undefined, send() {}, on() {}, removeListener() {} }

const electron = {
  app, ipcMain, BrowserWindow, Tray, Menu, nativeImage, Notification, shell, clipboard, dialog, protocol, session, screen,
  nativeTheme, contextBridge, ipcRenderer, fake,
}
export default electron
