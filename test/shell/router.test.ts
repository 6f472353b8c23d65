import { describe, expect, it, vi } from 'vitest'
import { commandNames, sendNames, type CommandHandlers, type SendHandlers } from '../../src/shared/api'
import { CalError } from '../../src/shared/errors'
import { createRouter } from '../../src/main/router'
import { registerIpc, type SenderPolicy } from '../../src/main/ipc'

vi.mock('electron', () => import('./electron-mock'))
const { ipcMain, fake, BrowserWindow } = await import('./electron-mock')

function engineStub() {
  const handlers = Object.fromEntries(commandNames.map((n) => [n, vi.fn(async () => ({ ok: true }))])) as unknown as CommandHandlers
  const sends = { 'terminal:input': vi.fn(), 'terminal:resize': vi.fn(), 'terminal:ack': vi.fn(), 'terminal:bell': vi.fn(), 'terminal:redraw': vi.fn() } satisfies SendHandlers
  return { handlers, sends }
}

describe('router', () => {
  it('parses input with the contract: bad input → INVALID_INPUT naming the field, handler not called', async () => {
    const { handlers, sends } = engineStub()
    const router = createRouter(handlers, sends)
    const r = await router.invoke('vms:start', { name: '../etc' })
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', details: { field: 'name' } } })
    expect(handlers['vms:start']).not.toHaveBeenCalled()
    const nested = await router.invoke('terminal:open', { vm: 'dev', kind: 'shell', cols: 1, rows: 24 })
    expect(nested).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', details: { field: 'cols' } } })
    expect(await router.invoke('nope:nothing', {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
  })

  it('settings:set refuses a bad value with SETTINGS_INVALID', async () => {
    const { handlers, sends } = engineStub()
    const r = await createRouter(handlers, sends).invoke('settings:set', { vmDefaults: { cpu: 0, memoryMb: 8192, diskGb: 80, baseImage: 'x' } })
    expect(r).toMatchObject({ ok: false, error: { code: 'SETTINGS_INVALID', details: { field: 'vmDefaults.cpu' } } })
  })

  it('returns engine errors as CalError values; unknown errors become INTERNAL and are logged', async () => {
    const { handlers, sends } = engineStub()
    const log = vi.fn()
    handlers['vms:get'] = async () => {
      throw new CalError('VM_NOT_FOUND', 'No VM named dev.', 'Create it first.')
    }
    handlers['vms:list'] = async () => {
      throw new Error('boom')
    }
    const router = createRouter(handlers, sends, log)
    expect(await router.invoke('vms:get', { name: 'dev' })).toEqual({ ok: false, error: { code: 'VM_NOT_FOUND', message: 'No VM named dev.', hint: 'Create it first.' } })
    expect(await router.invoke('vms:list', undefined)).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'boom' } })
    expect(log).toHaveBeenCalledOnce()
  })

  it('passes parsed input (defaults applied) and forwards valid sends only', async () => {
    const { handlers, sends } = engineStub()
    const router = createRouter(handlers, sends)
    await router.invoke('vms:stop', { name: 'dev' })
    expect(handlers['vms:stop']).toHaveBeenCalledWith({ name: 'dev', force: false })
    router.send('terminal:input', { id: 's1', data: 'ls\r' })
    router.send('terminal:input', { id: 7 })
    router.send('terminal:nope', {})
    expect(sends['terminal:input']).toHaveBeenCalledExactlyOnceWith({ id: 's1', data: 'ls\r' })
  })
})

describe('IPC registration', () => {
  const setup = () => {
    fake.reset()
    const { handlers, sends } = engineStub()
    const win = new BrowserWindow({})
    void win.loadURL('cal://app/index.html')
    const policy: SenderPolicy = { trustedContents: () => win.webContents as never, trustedOrigin: 'cal://app' }
    const log = vi.fn()
    registerIpc(ipcMain as never, createRouter(handlers, sends), policy, log)
    return { handlers, sends, win, log }
  }

  it('registers exactly one handler per command and one listener per send', () => {
    setup()
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...commandNames].sort())
    expect([...ipcMain.listeners.keys()].sort()).toEqual([...sendNames].sort())
    for (const list of ipcMain.listeners.values()) expect(list).toHaveLength(1)
  })

  it('serves CAL\'s own window at CAL\'s own URL', async () => {
    const { win, handlers } = setup()
    const event = { sender: win.webContents, senderFrame: win.webContents.mainFrame }
    expect(await ipcMain.handlers.get('vms:list')!(event, {})).toEqual({ ok: true, value: { ok: true } })
    expect(handlers['vms:list']).toHaveBeenCalled()
  })

  it('refuses a foreign window, a foreign URL and a sub-frame with FORBIDDEN', async () => {
    const { win, handlers, sends, log } = setup()
    const other = new BrowserWindow({})
    void other.loadURL('cal://app/index.html')
    const cases = [
      { sender: other.webContents, senderFrame: other.webContents.mainFrame },
      { sender: win.webContents, senderFrame: { ...win.webContents.mainFrame } },
      { sender: win.webContents, senderFrame: Object.assign(win.webContents.mainFrame, { url: 'https://evil.example/' }) },
    ]
    for (const event of cases) {
      expect(await ipcMain.handlers.get('vms:list')!(event, {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
      ipcMain.listeners.get('terminal:input')![0]!(event, { id: 's', data: 'x' })
    }
    expect(handlers['vms:list']).not.toHaveBeenCalled()
    expect(sends['terminal:input']).not.toHaveBeenCalled()
    expect(log).toHaveBeenCalledTimes(3)
  })

  it('bad input from CAL\'s window → INVALID_INPUT with the field', async () => {
    const { win } = setup()
    const event = { sender: win.webContents, senderFrame: win.webContents.mainFrame }
    expect(await ipcMain.handlers.get('snapshots:restore')!(event, { vm: 'dev' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', details: { field: 'snapshot' } },
    })
  })
})
