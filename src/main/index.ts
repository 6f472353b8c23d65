import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, nativeTheme, shell } from 'electron'
import Store from 'electron-store'
import { join } from 'node:path'
import { createEngine, resolveCalHome } from '../core/engine'
import { appHintOf, CalError } from '../shared/errors'
import type { EventName } from '../shared/api'
import type { NavTarget, Notice } from '../shared/notify'
import type { Settings } from '../shared/settings'
import { buildAppMenu, type AppMenuAction } from './app-menu'
import { APP_URL, pageOrigin } from './app-protocol'
import { checkOpenableUrl, vmAddressesFrom } from './external-url'
import { registerIpc } from './ipc'
import { NoticeTracker } from './notify/policy'
import { Notifier } from './notify/notifier'
import { EventOutbox } from './outbox'
import { createRouter } from './router'
import { lockDownSession, registerAppScheme, serveRenderer } from './session'
import { createElectronSettingsStore } from './settings-store'
import { QuitGuard } from './quit-guard'
import { ShellState } from './shell-state'
import { runTrayAction } from './tray/actions'
import { CalTray } from './tray/tray'
import { createMainWindow } from './window'
import { DEV_BUILD } from './dev-build'

const log = (msg: string) => console.error(`[cal] ${msg}`)
/** How long a quit waits for the engine to finish what it is writing (a rename, a delete) before exiting anyway. */
const ENGINE_SETTLE_MS = 10_000

// A second CAL would fight the first over VMs and settings: hand over to the running one.
if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  registerAppScheme()
  start()
}

function start(): void {
  const calHome = resolveCalHome()
  const settings = createElectronSettingsStore(calHome)
  const engine = createEngine({ calHome, appVersion: app.getVersion(), settings, watchVmsMs: 3000, log })
  const handlers = engine.handlers
  // vnc:// only to one of CAL's VMs, as the engine (Tart) knows them: see checkOpenableUrl.
  const vmAddresses = vmAddressesFrom(handlers)
  const openExternal = async (url: string) => shell.openExternal((await checkOpenableUrl(url, vmAddresses)).toString())
  handlers['shell:openExternal'] = async ({ url }) => {
    await openExternal(url)
    return { ok: true }
  }
  const router = createRouter(handlers, engine.sends, log)
  const windowState = new Store<{ bounds?: unknown }>({ name: 'window-state' })
  const devUrl = process.env.ELECTRON_RENDERER_URL
  const pageUrl = DEV_BUILD && devUrl ? devUrl : APP_URL

  const state = new ShellState()
  const tracker = new NoticeTracker()
  let win: BrowserWindow | null = null
  let outbox: EventOutbox | null = null
  let quitting = false
  let tray: CalTray | null = null
  let vmsSeen = false
  let trayReports = 0
  const quitGuard = new QuitGuard((question) => dialog.showMessageBoxSync(question))

  registerIpc(ipcMain, router, { trustedContents: () => (win && !win.isDestroyed() ? win.webContents : null), trustedOrigin: pageOrigin(pageUrl) ?? '' }, log)

  const emit = (event: EventName, payload: unknown) => outbox?.push(event, payload)
  engine.events.onAny((event, payload) => emit(event, payload))

  const showWindow = (target?: NavTarget | null) => {
    if (!win || win.isDestroyed()) win = openWindow()
    if (win.isMinimized()) win.restore()
    win.show()
    win.focus()
    state.acknowledgeErrors()
    tray?.refresh()
    if (target) emit('app:navigate', target)
  }

  const currentSettings = (): Settings => settings.get().settings
  const notifier = new Notifier({
    settings: currentSettings,
    windowFocused: () => Boolean(win && !win.isDestroyed() && win.isVisible() && win.isFocused()),
    toast: (notice) => emit('notice', notice),
    open: (target) => showWindow(target),
  })
  const notify = (notice: Notice | null) => notice && notifier.show(notice)

  const runMenuAction = (action: AppMenuAction) => {
    if (action.kind === 'settings') return showWindow({ view: 'settings', vm: null, sessionId: null, taskId: null })
    const shown = Boolean(win && !win.isDestroyed() && win.isVisible())
    if (action.kind === 'closeWindow') return shown && win?.close()
    if (action.command === 'closeTab' && !shown) return
    // A new tab (or the palette) asked for while the window is hidden shows it first; the event waits for the page.
    if (!shown) showWindow()
    emit('app:command', { command: action.command })
  }

  engine.events.on('vms:changed', (vms) => {
    // A list from Tart: it is there (again).
    vmsSeen = true
    state.tartMissing = false
    state.setVms(vms)
    for (const n of tracker.onVms(vms)) notify(n)
    tray?.refresh()
  })
  engine.events.on('vms:unlisted', (names) => {
    state.unlisted = names
    tray?.refresh()
  })
  engine.events.on('terminal:bell', (bell) => notify(tracker.onBell(bell)))
  engine.events.on('tasks:updated', (task) => {
    state.updateTask(task)
    notify(tracker.onTask(task))
    tray?.refresh()
    if (quitGuard.readyToQuit(state.runningTasks())) app.quit()
  })
  engine.events.on('settings:changed', (view) => applyAppearance(view.settings))

  function openWindow(): BrowserWindow {
    const w = createMainWindow({
      preloadPath: join(__dirname, '../preload/index.cjs'),
      pageUrl,
      savedBounds: windowState.get('bounds'),
      saveBounds: (bounds) => windowState.set('bounds', bounds),
      hideOnClose: () => !quitting,
      showInTaskbar: currentSettings().showInDock,
    })
    const box = new EventOutbox(w.webContents, log)
    outbox = box
    w.webContents.on('did-start-loading', () => box.markNotReady())
    w.webContents.on('did-finish-load', () => box.markReady())
    // A page that crashed (out of memory, a renderer fault) is loaded again: the window would otherwise stay blank
    // until CAL quits. Tasks carry on in main; terminals redraw from tmux in the new page (terminal:redraw).
    w.webContents.on('render-process-gone', (_event, details) => {
      box.markNotReady()
      log(`the window's page ended (${details.reason}, exit code ${details.exitCode})${details.reason === 'clean-exit' ? '' : '; loading it again'}`)
      if (details.reason !== 'clean-exit' && !w.isDestroyed()) w.webContents.reload()
    })
    w.on('focus', () => {
      state.acknowledgeErrors()
      tray?.refresh()
    })
    w.on('closed', () => {
      if (win === w) win = null
      if (outbox === box) outbox = null
    })
    return w
  }

  function applyAppearance(s: Settings): void {
    nativeTheme.themeSource = s.theme
    if (process.platform === 'darwin') void (s.showInDock ? app.dock?.show() : app.dock?.hide())
    if (win && !win.isDestroyed()) win.setSkipTaskbar(!s.showInDock)
  }

  app.on('second-instance', () => showWindow())
  app.on('activate', () => showWindow())
  // Closing the window keeps CAL in the menu bar; only Quit ends it.
  app.on('window-all-closed', () => {})
  app.on('before-quit', (event) => {
    if (quitting) return
    if (!quitGuard.allowQuit(state.runningTasks())) {
      event.preventDefault()
      tray?.refresh()
      return
    }
    quitting = true
  })
  // The engine must not stop in the middle of a rename or a delete (a restore swaps two VMs' names; CAL repairs a cut
  // restore at its next start, but only what it can see): Electron does not wait for promises, so the quit waits for
  // the engine to settle (at most ENGINE_SETTLE_MS), then exits.
  let disposed = false
  app.on('will-quit', (event) => {
    if (disposed) return
    disposed = true
    event.preventDefault()
    notifier.dispose()
    tray?.destroy()
    void Promise.race([engine.dispose().catch(() => undefined), new Promise((r) => setTimeout(r, ENGINE_SETTLE_MS))]).finally(() => app.exit(0))
  })

  void app.whenReady().then(async () => {
    lockDownSession(pageUrl === APP_URL ? null : pageUrl)
    serveRenderer(join(__dirname, '../renderer'))
    Menu.setApplicationMenu(Menu.buildFromTemplate(buildAppMenu({ platform: process.platform, development: DEV_BUILD, appName: 'CAL' }, runMenuAction)))
    applyAppearance(currentSettings())
    // The menu-bar icon and the window come first, filled in when Tart answers: every Tart call costs 100–200 ms, a
    // hung one waits out its timeout (a minute), and waiting for them left CAL without a window or an icon meanwhile.
    tray = new CalTray(
      join(app.getAppPath(), 'resources'),
      () => ({ vms: state.vms, unlisted: state.unlisted, tasks: state.runningTasks(), macVmLimit: state.macVmLimit, hasError: state.hasError(), tartMissing: state.tartMissing, listed: vmsSeen, quitWhenDone: quitGuard.waitingForTasks }),
      (action) =>
        runTrayAction(action, {
          handlers,
          showWindow,
          openExternal,
          copyText: (text) => clipboard.writeText(text),
          quit: () => app.quit(),
          report: (title, error, vm) =>
            notifier.report({
              id: `tray:${++trayReports}`,
              kind: 'taskFailed',
              level: 'error',
              title,
              body: `${error.message} ${appHintOf(error)}`.trim(),
              error: error.toData(),
              target: vm ? { view: 'workspace', vm, sessionId: null, taskId: null } : null,
            }),
          confirm: async (q) => {
            const options = { type: 'warning' as const, buttons: ['Cancel', q.confirm], defaultId: 0, cancelId: 0, message: q.title, detail: `${q.running.join('\n')}\n\n${q.consequence}` }
            return (await dialog.showMessageBox(options)).response === 1
          },
        }),
    )
    win = openWindow()
    void loadInitialState()
  })

  /** What the tray shows before the engine's first VM event: the host's status and the VM list, read once. */
  async function loadInitialState(): Promise<void> {
    let missing = false
    const [status, vms, unlisted] = await Promise.all([
      handlers['app:status']({}).catch(() => null),
      handlers['vms:list']({}).catch((err: unknown) => {
        missing = CalError.from(err).code === 'TART_NOT_FOUND'
        return null
      }),
      handlers['vms:unlisted']({}).catch(() => null),
    ])
    if (status) state.macVmLimit = status.macVmLimit
    if (unlisted && !vmsSeen) state.unlisted = unlisted
    // The engine's watch may have answered first: its list is newer, and it was the notices' baseline.
    if (!vmsSeen) {
      state.tartMissing = missing || status?.tartFound === false
      if (vms) {
        vmsSeen = true
        state.setVms(vms)
        tracker.onVms(vms)
      }
    }
    tray?.refresh()
  }
}
