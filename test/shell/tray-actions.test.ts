import { beforeEach, describe, expect, it, vi } from 'vitest'
import { CalError } from '../../src/shared/errors'
import { runTrayAction, type TrayActionDeps } from '../../src/main/tray/actions'
import type { PowerQuestion } from '../../src/shared/power-question'
import type { VmTmuxSession } from '../../src/shared/terminal'
import { running } from './fixtures'

vi.mock('electron', () => import('./electron-mock'))
const { fake, Tray } = await import('./electron-mock')
const { CalTray } = await import('../../src/main/tray/tray')

function deps() {
  const handlers = {
    'vms:start': vi.fn(async () => ({ taskId: 't1' })),
    'vms:stop': vi.fn(async () => ({ taskId: 't2' })),
    'vms:restart': vi.fn(async () => ({ taskId: 't3' })),
    'vms:suspend': vi.fn(async () => ({ taskId: 't6' })),
    'snapshots:create': vi.fn(async () => ({ taskId: 't4' })),
    'snapshots:rollback': vi.fn(async (): Promise<{ taskId: string; snapshot: string }> => ({ taskId: 't5', snapshot: 'session-1' })),
    'vms:sshCommand': vi.fn(async () => ({ command: 'ssh admin@127.0.64.2' })),
    'terminal:sessions': vi.fn(async (): Promise<VmTmuxSession[]> => []),
  }
  const d = {
    handlers,
    showWindow: vi.fn(),
    openExternal: vi.fn(async () => {}),
    copyText: vi.fn(),
    quit: vi.fn(),
    report: vi.fn(),
    confirm: vi.fn(async (_q: PowerQuestion) => true),
  } satisfies TrayActionDeps
  return d
}

describe('tray actions call the engine verbs', () => {
  it('start / stop / restart / suspend / snapshot', async () => {
    const d = deps()
    await runTrayAction({ kind: 'vm:suspend', vm: 'dev' }, d)
    expect(d.handlers['vms:suspend']).toHaveBeenCalledWith({ name: 'dev' })
    // Suspending keeps the VM's programs (in its saved memory): nothing to ask.
    expect(d.handlers['terminal:sessions']).not.toHaveBeenCalled()
    await runTrayAction({ kind: 'vm:start', vm: 'dev' }, d)
    await runTrayAction({ kind: 'vm:stop', vm: 'dev' }, d)
    await runTrayAction({ kind: 'vm:restart', vm: 'dev' }, d)
    await runTrayAction({ kind: 'vm:snapshot', vm: 'dev', shutsDown: false }, d)
    expect(d.handlers['vms:start']).toHaveBeenCalledWith({ name: 'dev' })
    expect(d.handlers['vms:stop']).toHaveBeenCalledWith({ name: 'dev', force: false })
    expect(d.handlers['vms:restart']).toHaveBeenCalledWith({ name: 'dev' })
    expect(d.handlers['snapshots:create']).toHaveBeenCalledWith({ vm: 'dev', kind: 'manual' })
    expect(d.report).not.toHaveBeenCalled()
  })

  it('stop and restart ask first, naming the programs still running in the VM, and do nothing on Cancel', async () => {
    const d = deps()
    const session = (name: string, command: string | null): VmTmuxSession => ({ name, kind: name === 'cal-agent' ? 'agent' : 'shell', createdAt: null, clients: 0, openId: null, command })
    d.handlers['terminal:sessions'].mockResolvedValue([session('cal-agent', 'claude'), session('shell-1', null), session('shell-2', 'npm')])
    d.confirm.mockResolvedValueOnce(false)
    await runTrayAction({ kind: 'vm:stop', vm: 'dev' }, d)
    expect(d.handlers['terminal:sessions']).toHaveBeenCalledWith({ name: 'dev' })
    expect(d.confirm).toHaveBeenCalledWith({
      title: 'Stop dev? 2 programs are still running in it.',
      running: ['cal-agent (the agent): claude', 'shell-2: npm'],
      consequence: "Stopping the VM ends them, with their tmux sessions and scrollback. Files on the VM's disk stay as they are.",
      confirm: 'Stop',
    })
    expect(d.handlers['vms:stop']).not.toHaveBeenCalled()
    await runTrayAction({ kind: 'vm:restart', vm: 'dev' }, d)
    expect(d.confirm).toHaveBeenLastCalledWith(expect.objectContaining({ title: 'Restart dev? 2 programs are still running in it.', confirm: 'Restart' }))
    expect(d.handlers['vms:restart']).toHaveBeenCalledWith({ name: 'dev' })
  })

  it('a snapshot that shuts the VM down asks first, naming the programs it ends; one that suspends it does not ask', async () => {
    const d = deps()
    d.handlers['terminal:sessions'].mockResolvedValue([{ name: 'cal-agent', kind: 'agent', createdAt: null, clients: 0, openId: null, command: 'claude' }])
    d.confirm.mockResolvedValueOnce(false)
    await runTrayAction({ kind: 'vm:snapshot', vm: 'dev', shutsDown: true }, d)
    expect(d.confirm).toHaveBeenCalledWith({
      title: 'Snapshot dev? A program is still running in it.',
      running: ['cal-agent (the agent): claude'],
      consequence:
        "dev cannot be suspended (CAL suspends only a macOS VM it started itself, on a Mac with macOS 14 or newer), so the snapshot shuts it down cleanly and starts it again. That ends it, with its tmux session and scrollback. Files on the VM's disk stay as they are.",
      confirm: 'Shut down and snapshot',
    })
    expect(d.handlers['snapshots:create']).not.toHaveBeenCalled()
    await runTrayAction({ kind: 'vm:snapshot', vm: 'dev', shutsDown: true }, d)
    expect(d.handlers['snapshots:create']).toHaveBeenCalledTimes(1)
    await runTrayAction({ kind: 'vm:snapshot', vm: 'dev', shutsDown: false }, d)
    expect(d.confirm).toHaveBeenCalledTimes(2)
    expect(d.handlers['snapshots:create']).toHaveBeenCalledTimes(2)
  })

  it('stop goes ahead without asking when only shells wait at their prompts, or when the VM cannot say', async () => {
    const d = deps()
    d.handlers['terminal:sessions'].mockResolvedValueOnce([{ name: 'shell-1', kind: 'shell', createdAt: null, clients: 1, openId: 'x', command: null }])
    await runTrayAction({ kind: 'vm:stop', vm: 'dev' }, d)
    d.handlers['terminal:sessions'].mockRejectedValueOnce(new CalError('SSH_UNREACHABLE', 'No route.'))
    await runTrayAction({ kind: 'vm:stop', vm: 'dev' }, d)
    expect(d.confirm).not.toHaveBeenCalled()
    expect(d.handlers['vms:stop']).toHaveBeenCalledTimes(2)
    expect(d.report).not.toHaveBeenCalled()
  })

  it('stop does not wait on a VM that never answers', async () => {
    vi.useFakeTimers()
    try {
      const d = deps()
      d.handlers['terminal:sessions'].mockReturnValueOnce(new Promise<VmTmuxSession[]>(() => {}))
      const done = runTrayAction({ kind: 'vm:stop', vm: 'dev' }, d)
      await vi.advanceTimersByTimeAsync(2000)
      await done
      expect(d.handlers['vms:stop']).toHaveBeenCalledOnce()
      expect(d.confirm).not.toHaveBeenCalled()
    } finally {
      vi.useRealTimers()
    }
  })

  it('rollback never confirms for the user: a confirmation request opens the snapshots view', async () => {
    const d = deps()
    d.handlers['snapshots:rollback'].mockRejectedValueOnce(new CalError('CONFIRMATION_REQUIRED', 'Confirm first.'))
    await runTrayAction({ kind: 'vm:rollback', vm: 'dev' }, d)
    expect(d.handlers['snapshots:rollback']).toHaveBeenCalledWith({ vm: 'dev', confirmed: false })
    expect(d.showWindow).toHaveBeenCalledWith({ view: 'snapshots', vm: 'dev', sessionId: null, taskId: null })
    expect(d.report).not.toHaveBeenCalled()
  })

  it('terminal, Screen Sharing, SSH command, Open, Settings, Quit', async () => {
    const d = deps()
    await runTrayAction({ kind: 'vm:terminal', vm: 'dev' }, d)
    expect(d.showWindow).toHaveBeenLastCalledWith({ view: 'terminal', vm: 'dev', sessionId: null, taskId: null })
    await runTrayAction({ kind: 'vm:screenSharing', vm: 'dev', ip: '127.0.64.2' }, d)
    expect(d.openExternal).toHaveBeenCalledWith('vnc://127.0.64.2')
    await runTrayAction({ kind: 'vm:copySsh', vm: 'dev' }, d)
    expect(d.handlers['vms:sshCommand']).toHaveBeenCalledWith({ name: 'dev' })
    expect(d.copyText).toHaveBeenCalledWith('ssh admin@127.0.64.2')
    await runTrayAction({ kind: 'app:open' }, d)
    expect(d.showWindow).toHaveBeenLastCalledWith()
    await runTrayAction({ kind: 'app:settings' }, d)
    expect(d.showWindow).toHaveBeenLastCalledWith({ view: 'settings', vm: null, sessionId: null, taskId: null })
    await runTrayAction({ kind: 'app:quit' }, d)
    expect(d.quit).toHaveBeenCalledOnce()
  })

  it('an engine error is reported with its code, not thrown', async () => {
    const d = deps()
    d.handlers['vms:start'].mockRejectedValueOnce(new CalError('VM_LIMIT_REACHED', 'Two VMs are running.', 'Stop one first.'))
    await runTrayAction({ kind: 'vm:start', vm: 'dev' }, d)
    expect(d.report).toHaveBeenCalledWith('Start dev failed', expect.objectContaining({ code: 'VM_LIMIT_REACHED', hint: 'Stop one first.' }), 'dev')
  })
})

describe('CalTray (Electron glue)', () => {
  beforeEach(() => fake.reset())

  it('builds the menu from the current state each time it opens, and swaps template icons by state', () => {
    let vms = [running('dev')]
    const run = vi.fn(async () => {})
    const tray = new CalTray('/res', () => ({ vms, unlisted: [], tasks: [], macVmLimit: 2, hasError: false, tartMissing: false, listed: true, quitWhenDone: false }), run)
    const t = Tray.instances[0]!
    expect(t.image).toMatchObject({ path: '/res/tray/runningTemplate.png', template: true })
    t.emit('click')
    expect(t.poppedUp[0]!.template.map((i) => i.label)).toContain('dev — running · 127.0.64.2')
    vms = []
    tray.refresh()
    expect(t.image.path).toBe('/res/tray/idleTemplate.png')
    t.emit('click')
    const menu = t.poppedUp[1]!.template
    expect(menu.map((i) => i.label)).toContain('No VMs yet')
    menu.find((i) => i.label === 'Open CAL')!.click!()
    expect(run).toHaveBeenCalledWith({ kind: 'app:open' })
  })

  it('from a click on Stop until the engine has its task, the VM\'s items wait and the icon is busy (no second Stop)', async () => {
    let handOver!: () => void
    const run = vi.fn((): Promise<void> => new Promise((resolve) => (handOver = resolve)))
    new CalTray('/res', () => ({ vms: [running('dev')], unlisted: [], tasks: [], macVmLimit: 2, hasError: false, tartMissing: false, listed: true, quitWhenDone: false }), run)
    const t = Tray.instances[0]!
    const vmItems = () => {
      t.emit('click')
      return t.poppedUp.at(-1)!.template.find((i) => i.label?.startsWith('dev —'))!.submenu!
    }
    vmItems().find((i) => i.label === 'Stop')!.click!()
    expect(run).toHaveBeenCalledWith({ kind: 'vm:stop', vm: 'dev' })
    expect(t.image.path).toBe('/res/tray/busyTemplate.png')
    const waiting = vmItems()
    for (const l of ['Stop', 'Restart', 'Take Snapshot']) expect(waiting.find((i) => i.label === l)!.enabled).toBe(false)
    expect(waiting[0]!.label).toBe('State: running (busy)')
    handOver()
    await vi.waitFor(() => expect(vmItems().find((i) => i.label === 'Stop')!.enabled).toBe(true))
    expect(t.image.path).toBe('/res/tray/runningTemplate.png')
    // Opening a terminal changes nothing in the VM: it never makes its items wait.
    vmItems().find((i) => i.label === 'Open Terminal')!.click!()
    expect(vmItems().find((i) => i.label === 'Stop')!.enabled).toBe(true)
  })
})
