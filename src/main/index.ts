import { app, BrowserWindow, ipcMain } from 'electron'
import { join } from 'node:path'
import { commandNames, sendNames } from '../shared/api'
import { createEngine } from '../core/engine'
import { createRouter } from './router'

const engine = createEngine({ appVersion: app.getVersion() })
const router = createRouter(engine.handlers, engine.sends, (m) => console.error(m))

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 780,
    show: false,
    title: 'CAL',
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  })
  win.once('ready-to-show', () => win.show())
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL)
  else void win.loadFile(join(__dirname, '../renderer/index.html'))
  return win
}

for (const channel of commandNames) ipcMain.handle(channel, (_e, raw) => router.invoke(channel, raw))
for (const channel of sendNames) ipcMain.on(channel, (_e, raw) => router.send(channel, raw))

void app.whenReady().then(() => createWindow())
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
