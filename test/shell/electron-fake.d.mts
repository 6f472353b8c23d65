// Types for electron-fake.mjs: just what the shell tests read back.
import { EventEmitter } from 'node:events'

type Fn = (...args: never[]) => unknown

export interface FakeContents extends EventEmitter {
  id: number
  sent: [string, unknown][]
  url: string
  destroyed: boolean
  mainFrame: { url: string; routingId: number }
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null
  send(channel: string, payload: unknown): void
  isDestroyed(): boolean
}

export declare const fake: {
  calls: unknown[][]
  openedExternal: string[]
  clipboard: string[]
  dialogResponse: number
  focusedWindow: BrowserWindow | null
  reset(): void
}

export declare const app: EventEmitter & {
  isPackaged: boolean
  quitCalls: number
  /** Exit codes the app exited with: a quit that went through, or app.exit(). */
  exitCodes: number[]
  whenReady(): Promise<void>
  getVersion(): string
  getPath(name: string): string
  setPath(name: string, value: string): void
  quit(): void
}

export declare const ipcMain: EventEmitter & {
  handlers: Map<string, (event: unknown, raw: unknown) => unknown>
  listeners: Map<string, ((event: unknown, raw: unknown) => void)[]>
  handle(channel: string, fn: Fn): void
}

export declare class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[]
  options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>
  webContents: FakeContents
  visible: boolean
  skipTaskbar: boolean
  bounds: { x: number; y: number; width: number; height: number }
  constructor(options?: Record<string, unknown>)
  loadURL(url: string): Promise<void>
  show(): void
  hide(): void
  focus(): void
  isFocused(): boolean
  isVisible(): boolean
  isDestroyed(): boolean
  close(): void
  destroy(): void
}

export declare class Tray extends EventEmitter {
  static instances: Tray[]
  image: { path: string; template: boolean }
  tooltip: string
  poppedUp: { template: MenuTemplateItem[] }[]
  contextMenu: { template: MenuTemplateItem[] } | null
}

export interface MenuTemplateItem {
  label?: string
  role?: string
  type?: string
  enabled?: boolean
  submenu?: MenuTemplateItem[]
  click?: () => void
}

export declare const Menu: {
  /** The menu the app set last (null: Electron's default one). */
  application: { template: MenuTemplateItem[] } | null
  popups: { template: MenuTemplateItem[] }[]
  buildFromTemplate(template: MenuTemplateItem[]): { template: MenuTemplateItem[] }
  setApplicationMenu(menu: { template: MenuTemplateItem[] } | null): void
}
export declare const nativeImage: { createFromPath(path: string): { path: string; template: boolean } }

export declare class Notification extends EventEmitter {
  static instances: Notification[]
  static isSupported(): boolean
  options: { title?: string; body?: string; actions?: unknown[] }
  shown: boolean
  closed: boolean
  show(): void
  close(): void
}

export declare const shell: { openExternal(url: string): Promise<void> }
export declare const clipboard: { writeText(text: string): void }
export declare const dialog: { showMessageBoxSync(options: unknown): number }
export declare const protocol: { handlers: Map<string, (request: Request) => Promise<Response>>; privileged: unknown[] }
export declare const session: {
  defaultSession: {
    webRequest: { headersListener: ((details: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void) | null }
    permissionRequestHandler: ((contents: unknown, permission: string, cb: (ok: boolean) => void) => void) | null
  }
}
export declare const screen: { getAllDisplays(): { workArea: { x: number; y: number; width: number; height: number } }[] }
export declare const nativeTheme: { themeSource: string }

declare const electron: Record<string, unknown>
export default electron
