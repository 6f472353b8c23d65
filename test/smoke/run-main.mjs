// Loads the built main bundle with the electron fake and prints what it registered, as one JSON line.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import electron from 'electron'

const { ipcMain, BrowserWindow, Menu, protocol, session, Tray } = electron
const bundle = resolve(process.argv[2] ?? 'out/main/index.js')
await import(pathToFileURL(bundle).href)

const deadline = Date.now() + 10_000
while (BrowserWindow.instances.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
const win = BrowserWindow.instances[0]
const prefs = win?.options.webPreferences ?? null
const handler = protocol.handlers.get('cal')
const page = handler ? await handler(new Request('cal://app/index.html')) : null
const pageHtml = page ? await page.clone().text() : ''
const escape = handler ? await handler(new Request('cal://app/..%2f..%2fpackage.json')) : null
let navigationBlocked = false
win?.webContents.emit('will-navigate', { preventDefault: () => (navigationBlocked = true) }, 'https://evil.example/')

console.log(
  JSON.stringify({
    handles: [...ipcMain.handlers.keys()],
    listeners: Object.fromEntries([...ipcMain.listeners].map(([k, v]) => [k, v.length])),
    windows: BrowserWindow.instances.length,
    webPreferences: prefs,
    preloadExists: Boolean(prefs?.preload && existsSync(prefs.preload)),
    pageUrl: win?.webContents.getURL() ?? null,
    windowOpen: win?.webContents.windowOpenHandler?.({ url: 'https://example.com' }) ?? null,
    navigationBlocked,
    privilegedSchemes: protocol.privileged,
    pageStatus: page?.status ?? null,
    pageCsp: page?.headers.get('content-security-policy') ?? null,
    pageMetaCsp: /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(pageHtml)?.[1] ?? null,
    escapeStatus: escape?.status ?? null,
    cspHeaderListener: typeof session.defaultSession.webRequest.headersListener === 'function',
    trays: Tray.instances.length,
    trayIcon: Tray.instances[0]?.image.path ?? null,
    appMenu: Menu.application?.template.map((m) => m.label) ?? null,
  }),
)
process.exit(0)
