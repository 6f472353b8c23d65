import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { QuitGuard } from '../../src/main/quit-guard'
import { ShellState } from '../../src/main/shell-state'
import { writeFakeTart } from './fake-tart'
import { task } from './fixtures'

vi.mock('electron', () => import('./electron-mock'))
const e = await import('./electron-mock')

const calHome = mkdtempSync(join(tmpdir(), 'cal-main-'))
afterAll(() => rmSync(calHome, { recursive: true, force: true }))

describe('quit guard', () => {
  it('quits at once when nothing runs, asks while a task runs', () => {
    const ask = vi.fn(() => 1)
    const guard = new QuitGuard(ask)
    expect(guard.allowQuit([])).toBe(true)
    expect(ask).not.toHaveBeenCalled()
    expect(guard.allowQuit([task('t', { title: 'Restore dev' })])).toBe(false)
    expect(ask).toHaveBeenCalledWith(expect.objectContaining({ message: 'A task is still running.', detail: expect.stringContaining('Restore dev') }))
    expect(new QuitGuard(() => 2).allowQuit([task('a'), task('b')])).toBe(true)
  })

  it('"Quit When Done" (the default) keeps a snapshot from being cut off: CAL quits once it has ended', () => {
    const ask = vi.fn(() => 0)
    const guard = new QuitGuard(ask)
    const snapshot = task('s', { kind: 'snapshot', vm: 'dev', title: 'Snapshot dev' })
    expect(guard.allowQuit([snapshot])).toBe(false)
    expect(ask).toHaveBeenCalledWith(expect.objectContaining({ buttons: ['Quit When Done', 'Cancel', 'Quit Now'], defaultId: 0, cancelId: 1 }))
    expect(guard.waitingForTasks).toBe(true)
    expect(guard.readyToQuit([snapshot])).toBe(false)
    expect(guard.readyToQuit([])).toBe(true)
    expect(guard.waitingForTasks).toBe(false)
    // Cancel on a later ask drops the wait.
    guard.allowQuit([snapshot])
    ask.mockReturnValueOnce(1)
    guard.allowQuit([snapshot])
    expect(guard.readyToQuit([])).toBe(false)
  })

  it('does not ask about a start whose VM is already booting: the VM comes up without CAL', () => {
    const ask = vi.fn(() => 1)
    const step = (id: string, state: 'pending' | 'running' | 'done') => ({ id, label: id, state })
    const booting = task('b', { kind: 'start', steps: [step('check', 'done'), step('boot', 'done'), step('ip', 'running'), step('ssh', 'pending')] })
    expect(new QuitGuard(ask).allowQuit([booting])).toBe(true)
    expect(ask).not.toHaveBeenCalled()
    const checking = task('c', { kind: 'start', steps: [step('check', 'running'), step('boot', 'pending'), step('ip', 'pending'), step('ssh', 'pending')] })
    expect(new QuitGuard(ask).allowQuit([booting, checking])).toBe(false)
    expect(ask).toHaveBeenCalledWith(expect.objectContaining({ message: 'A task is still running.' }))
  })

  it('shell state tracks running tasks and unseen failures', () => {
    const s = new ShellState()
    s.updateTask(task('a'))
    expect(s.runningTasks()).toHaveLength(1)
    s.updateTask(task('a', { state: 'failed' }))
    expect(s.runningTasks()).toHaveLength(0)
    expect(s.hasError()).toBe(true)
    s.acknowledgeErrors()
    expect(s.hasError()).toBe(false)
  })
})

describe('main process (src/main/index.ts under the Electron mock)', async () => {
  process.env.CAL_HOME = calHome
  // One running VM, dev at 127.0.64.2 (Screen Sharing may open that address, and only that one).
  process.env.CAL_TART = writeFakeTart(calHome, '127.0.64.2')
  await import('../../src/main/index')
  await vi.waitFor(() => expect(e.BrowserWindow.instances).toHaveLength(1))
  const win = e.BrowserWindow.instances[0]!

  it('opens one locked-down window on cal://app', () => {
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false })
    expect(win.webContents.url).toBe('cal://app/index.html')
  })

  it('gives every page it serves a CSP that allows no WebSocket, replacing the one a response carried', () => {
    let headers: Record<string, string[]> = {}
    e.session.defaultSession.webRequest.headersListener!(
      { responseHeaders: { 'Content-Security-Policy': ["connect-src ws://127.0.0.1:*"] } },
      (r) => (headers = (r as { responseHeaders: Record<string, string[]> }).responseHeaders),
    )
    expect(headers['Content-Security-Policy']).toEqual([expect.stringContaining("connect-src 'self';")])
    expect(JSON.stringify(headers)).not.toContain('ws:')
  })

  it('answers CAL\'s window, refuses another one', async () => {
    const ok = await e.ipcMain.handlers.get('settings:get')!({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, {})
    expect(ok).toMatchObject({ ok: true, value: { warning: null } })
    const other = new e.BrowserWindow({})
    await other.loadURL('cal://app/index.html')
    const refused = await e.ipcMain.handlers.get('settings:get')!({ sender: other.webContents, senderFrame: other.webContents.mainFrame }, {})
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
  })

  it('queues events until the page has loaded', async () => {
    await e.ipcMain.handlers.get('settings:set')!({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, { theme: 'dark' })
    expect(win.webContents.sent).toEqual([])
    win.webContents.emit('did-finish-load')
    expect(win.webContents.sent.map(([c]) => c)).toContain('settings:changed')
  })

  it('loads the page again after its renderer crashed, holding events until it is back', async () => {
    win.webContents.emit('render-process-gone', {}, { reason: 'oom', exitCode: 9 })
    expect((win.webContents as unknown as { reloads?: number }).reloads).toBe(1)
    const before = win.webContents.sent.length
    await e.ipcMain.handlers.get('settings:set')!({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, { theme: 'light' })
    expect(win.webContents.sent.length).toBe(before)
    win.webContents.emit('did-finish-load')
    expect(win.webContents.sent.slice(before).map(([c]) => c)).toContain('settings:changed')
  })

  it("replaces Electron's default menu: its ⌘T/⌘W/⌘K items reach the page, Settings… opens Settings", () => {
    const find = (label: string) => e.Menu.application!.template.flatMap((m) => m.submenu ?? []).find((i) => i.label === label)!
    win.show()
    const before = win.webContents.sent.length
    find('New Terminal Tab').click!()
    find('Close Tab').click!()
    find('Settings…').click!()
    expect(win.webContents.sent.slice(before)).toEqual([
      ['app:command', { command: 'newTab' }],
      ['app:command', { command: 'closeTab' }],
      ['app:navigate', { view: 'settings', vm: null, sessionId: null, taskId: null }],
    ])
    // ⌘W with the window hidden does nothing (it would otherwise show the window just to close a tab in it).
    win.hide()
    find('Close Tab').click!()
    expect(win.isVisible()).toBe(false)
    expect(win.webContents.sent.at(-1)).toEqual(['app:navigate', { view: 'settings', vm: null, sessionId: null, taskId: null }])
  })

  it('right-clicking in the terminal pops up the native Copy / Paste menu', () => {
    const editFlags = { canCut: false, canCopy: true, canPaste: true, canSelectAll: true }
    win.webContents.emit('context-menu', {}, { isEditable: true, selectionText: 'pwd', editFlags })
    expect(e.Menu.popups.at(-1)!.template.map((i) => i.role ?? i.type)).toEqual(['cut', 'copy', 'paste', 'separator', 'selectAll'])
    const before = e.Menu.popups.length
    win.webContents.emit('context-menu', {}, { isEditable: false, selectionText: '', editFlags })
    expect(e.Menu.popups.length).toBe(before)
  })

  it('closing the window hides it (CAL stays in the menu bar)', () => {
    win.show()
    win.close()
    expect(win.isDestroyed()).toBe(false)
    expect(win.isVisible()).toBe(false)
    expect(e.Tray.instances).toHaveLength(1)
  })

  it('opening external links: web pages, and Screen Sharing with CAL\'s own VMs only', async () => {
    const open = e.ipcMain.handlers.get('shell:openExternal')!
    const event = { sender: win.webContents, senderFrame: win.webContents.mainFrame }
    expect(await open(event, { url: 'vnc://127.0.64.2' })).toEqual({ ok: true, value: { ok: true } })
    expect(await open(event, { url: 'file:///etc/passwd' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    for (const url of ['vnc://evil.example', 'vnc://192.168.1.10:5900', 'vnc://admin:pw@127.0.64.2']) {
      expect(await open(event, { url })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/only with its own VMs/) } })
    }
    expect(e.fake.openedExternal).toEqual(['vnc://127.0.64.2'])
  })

  it('the tray\'s Screen Sharing goes through the same check', async () => {
    const tray = e.Tray.instances[0]!
    const before = e.fake.openedExternal.length
    tray.emit('click')
    const items = tray.poppedUp.at(-1)!.template.flatMap((i) => [i, ...(i.submenu ?? [])])
    const screenSharing = items.find((i) => /Screen Sharing/.test(i.label ?? ''))
    expect(screenSharing).toBeDefined()
    screenSharing!.click!()
    await vi.waitFor(() => expect(e.fake.openedExternal.slice(before)).toEqual(['vnc://127.0.64.2']))
  })

  it('quit really closes once allowed, and exits once the engine has settled (never in the middle of a rename)', async () => {
    e.app.quit()
    // Electron would have exited at once, with the engine's last writes in flight: the app exits itself, after them.
    expect(e.app.exitCodes).toEqual([])
    await vi.waitFor(() => expect(e.app.exitCodes).toEqual([0]))
    win.close()
    expect(win.isDestroyed()).toBe(true)
  })
})
