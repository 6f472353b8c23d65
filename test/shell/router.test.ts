import { describe, expect, it, vi } from 'vitest'
import type { z } from 'zod'
import { commandNames, commands, sendNames, sends, type CommandHandlers, type SendHandlers } from '../../src/shared/api'
import { LIMITS } from '../../src/shared/limits'
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
    const r = await createRouter(handlers, sends).invoke('settings:set', { vmDefaults: { cpu: 1, memoryMb: 8192, diskGb: 80, baseImage: 'x' } })
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'SETTINGS_INVALID', message: 'Invalid vmDefaults.cpu: use 2 to 64 CPU cores', details: { field: 'vmDefaults.cpu' } },
    })
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

/** Every string a schema accepts, by path, with its maximum length (undefined when it has none). */
function stringLimits(schema: z.ZodType, path = ''): { path: string; max: number | undefined }[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def
  const inner = (key: string, at = path) => stringLimits(def[key] as z.ZodType, at)
  switch (def.type) {
    case 'string':
      return [{ path, max: (schema as z.ZodString).maxLength ?? undefined }]
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([k, v]) => stringLimits(v, `${path}.${k}`))
    case 'record':
      return [...inner('keyType', `${path}[key]`), ...inner('valueType', `${path}[value]`)]
    case 'array':
      return inner('element', `${path}[]`)
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
      return inner('innerType')
    case 'pipe':
      return [...inner('in'), ...inner('out')]
    case 'union':
      return (def.options as z.ZodType[]).flatMap((o) => stringLimits(o, path))
    case 'enum':
    case 'literal':
    case 'boolean':
    case 'number':
    case 'custom':
      return []
    default:
      throw new Error(`${path}: no rule for a ${def.type} schema in this test`)
  }
}

describe('string lengths a window may send', () => {
  it('every string in every command\'s input and every one-way message has a maximum length', () => {
    const all = [
      ...Object.entries(commands).flatMap(([name, c]) => stringLimits(c.input as z.ZodType, name)),
      ...Object.entries(sends).flatMap(([name, schema]) => stringLimits(schema as z.ZodType, name)),
    ]
    expect(all.length).toBeGreaterThan(10)
    expect(all.filter((s) => s.max === undefined).map((s) => s.path)).toEqual([])
    // Nothing but terminal input, and what a tab kept of a session that ended, needs more than a long path or URL.
    expect(all.filter((s) => s.max! > LIMITS.url).map((s) => s.path)).toEqual(['terminal:input.data', 'terminal:redraw.lead'])
  })

  it('refuses an over-long string with a clear error that does not repeat the value', async () => {
    const { handlers, sends } = engineStub()
    const router = createRouter(handlers, sends)
    const secret = 'p'.repeat(LIMITS.password + 1)
    const r = await router.invoke('settings:set', { ssh: { user: 'admin', password: secret, unlockKeychain: false } })
    expect(r).toMatchObject({ ok: false, error: { code: 'SETTINGS_INVALID', details: { field: 'ssh.password' } } })
    const error = (r as { error: { message: string; hint: string } }).error
    expect(error.message).toBe('Invalid ssh.password: too long (1,025 characters; at most 1,024 are accepted)')
    expect(JSON.stringify(r)).not.toContain('ppppp')
    expect(handlers['settings:set']).not.toHaveBeenCalled()
    const cases: [string, unknown, string][] = [
      ['settings:set', { tartPath: '/'.repeat(LIMITS.path + 1) }, 'tartPath'],
      ['settings:set', { outputFolder: 'x'.repeat(LIMITS.path + 1) }, 'outputFolder'],
      ['settings:set', { vmDefaults: { cpu: 4, memoryMb: 8192, diskGb: 80, baseImage: `ghcr.io/${'a'.repeat(LIMITS.imageRef)}` } }, 'vmDefaults.baseImage'],
      ['vms:create', { name: 'dev', image: `ghcr.io/${'a'.repeat(LIMITS.imageRef)}` }, 'image'],
      ['shell:openExternal', { url: `https://example.com/${'a'.repeat(LIMITS.url)}` }, 'url'],
      ['terminal:close', { id: 'x'.repeat(LIMITS.id + 1) }, 'id'],
      ['tasks:cancel', { id: 'x'.repeat(LIMITS.id + 1) }, 'id'],
    ]
    for (const [channel, input, field] of cases) {
      const out = await router.invoke(channel, input)
      expect(out, channel).toMatchObject({ ok: false, error: { details: { field }, message: expect.stringMatching(/too long \([\d,]+ characters; at most [\d,]+ are accepted\)/) } })
    }
    // A record's key is the page's own string: the error names a field of bounded length whatever the key.
    const keyed = await router.invoke('settings:set', { workspaceAgents: { [`${'k'.repeat(100_000)}`]: 'claude' } })
    expect(keyed).toMatchObject({ ok: false, error: { code: 'SETTINGS_INVALID' } })
    expect(JSON.stringify(keyed).length).toBeLessThan(1000)
    const many = Object.fromEntries(Array.from({ length: LIMITS.workspaceAgents + 1 }, (_, i) => [`vm-${i}`, 'claude']))
    expect(await router.invoke('settings:set', { workspaceAgents: many })).toMatchObject({ ok: false, error: { details: { field: 'workspaceAgents' } } })
  })

  it('takes terminal input of up to 1 MiB in one message (a paste), and drops a bigger one with a log line', () => {
    const { handlers, sends } = engineStub()
    const log = vi.fn()
    const router = createRouter(handlers, sends, log)
    const paste = 'é'.repeat(LIMITS.terminalInput)
    router.send('terminal:input', { id: 's1', data: paste })
    expect(sends['terminal:input']).toHaveBeenCalledExactlyOnceWith({ id: 's1', data: paste })
    router.send('terminal:input', { id: 's1', data: `${paste}x` })
    router.send('terminal:resize', { id: 'x'.repeat(LIMITS.id + 1), cols: 80, rows: 24 })
    expect(sends['terminal:input']).toHaveBeenCalledOnce()
    expect(sends['terminal:resize']).not.toHaveBeenCalled()
    expect(log.mock.calls.map(([line]) => line)).toEqual([
      'terminal:input: ignored a message with Invalid data: too long (1,048,577 characters; at most 1,048,576 are accepted)',
      'terminal:resize: ignored a message with Invalid id: too long (129 characters; at most 128 are accepted)',
    ])
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
