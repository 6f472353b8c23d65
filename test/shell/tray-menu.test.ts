import { describe, expect, it } from 'vitest'
import { buildTrayMenu, trayIconState, trayTooltip, type TrayMenuItem, type TrayState } from '../../src/main/tray/menu'
import { running, task, vm } from './fixtures'

const state = (over: Partial<TrayState> = {}): TrayState => ({ vms: [], unlisted: [], tasks: [], macVmLimit: 2, hasError: false, pending: new Set(), tartMissing: false, listed: true, quitWhenDone: false, ...over })
const labels = (items: TrayMenuItem[]) => items.filter((i) => i.type !== 'separator').map((i) => i.label)
const vmMenu = (items: TrayMenuItem[], name: string) => items.find((i) => i.label?.startsWith(`${name} —`))!.submenu!
const item = (items: TrayMenuItem[], label: string) => items.find((i) => i.label?.startsWith(label))!

describe('tray icon state', () => {
  it('is idle with nothing running', () => expect(trayIconState(state({ vms: [vm('a')] }))).toBe('idle'))
  it('is running with a VM up', () => expect(trayIconState(state({ vms: [running('a')] }))).toBe('running'))
  it('is busy while a task runs', () => expect(trayIconState(state({ vms: [running('a')], tasks: [task('t')] }))).toBe('busy'))
  it('shows an error above everything', () => expect(trayIconState(state({ vms: [running('a')], tasks: [task('t')], hasError: true }))).toBe('error'))
  it('has a tooltip with the count', () => expect(trayTooltip(state({ vms: [running('a')] }))).toContain('1 of 2 VMs running'))
})

describe('tray menu', () => {
  it('with no VMs: count, placeholder, Open CAL, Settings, Quit', () => {
    expect(labels(buildTrayMenu(state()))).toEqual(['Running VMs: 0 of 2', 'No VMs yet', 'Open CAL', 'Settings…', 'Quit CAL'])
    expect(item(buildTrayMenu(state()), 'Open CAL').action).toEqual({ kind: 'app:open' })
    expect(item(buildTrayMenu(state()), 'Settings').action).toEqual({ kind: 'app:settings' })
    expect(item(buildTrayMenu(state()), 'Quit').action).toEqual({ kind: 'app:quit' })
  })

  it('a running VM: state and IP, Stop/Restart, terminal, Screen Sharing, SSH', () => {
    const menu = buildTrayMenu(state({ vms: [running('dev', '127.0.64.5', { lastSessionSnapshotAt: '2026-01-01T09:00:00Z' })] }))
    expect(item(menu, 'dev —').label).toBe('dev — running · 127.0.64.5')
    const sub = vmMenu(menu, 'dev')
    expect(item(sub, 'State').label).toBe('State: running')
    expect(item(sub, 'IP').label).toBe('IP: 127.0.64.5')
    expect(item(sub, 'Start').enabled).toBe(false)
    expect(item(sub, 'Stop')).toMatchObject({ enabled: true, action: { kind: 'vm:stop', vm: 'dev' } })
    expect(item(sub, 'Restart')).toMatchObject({ enabled: true, action: { kind: 'vm:restart', vm: 'dev' } })
    expect(item(sub, 'Suspend')).toMatchObject({ enabled: true, action: { kind: 'vm:suspend', vm: 'dev' } })
    expect(item(sub, 'Take Snapshot')).toMatchObject({ enabled: true, action: { kind: 'vm:snapshot', vm: 'dev', shutsDown: false } })
    // A running VM CAL cannot suspend is shut down for a snapshot: the action says so, for the question first.
    const other = vmMenu(buildTrayMenu(state({ vms: [running('dev', '127.0.64.5', { suspendable: false })] })), 'dev')
    expect(item(other, 'Take Snapshot')).toMatchObject({ action: { kind: 'vm:snapshot', vm: 'dev', shutsDown: true } })
    expect(item(sub, 'Roll Back')).toMatchObject({ enabled: true, action: { kind: 'vm:rollback', vm: 'dev' } })
    expect(item(sub, 'Open Terminal')).toMatchObject({ enabled: true, action: { kind: 'vm:terminal', vm: 'dev' } })
    expect(item(sub, 'Open in Screen Sharing')).toMatchObject({ enabled: true, action: { kind: 'vm:screenSharing', vm: 'dev', ip: '127.0.64.5' } })
    expect(item(sub, 'Copy SSH Command')).toMatchObject({ enabled: true, action: { kind: 'vm:copySsh', vm: 'dev' } })
    expect(item(menu, 'Running VMs').label).toBe('Running VMs: 1 of 2')
  })

  it('a stopped VM: Start only; no rollback without a session snapshot', () => {
    const sub = vmMenu(buildTrayMenu(state({ vms: [vm('dev')] })), 'dev')
    expect(item(sub, 'Start')).toMatchObject({ enabled: true, action: { kind: 'vm:start', vm: 'dev' } })
    for (const l of ['Stop', 'Restart', 'Suspend', 'Open Terminal', 'Open in Screen Sharing', 'Copy SSH Command', 'Roll Back']) expect(item(sub, l).enabled).toBe(false)
    expect(item(sub, 'Open in Screen Sharing').action).toBeUndefined()
    expect(item(sub, 'IP').label).toBe('IP: —')
  })

  it('at the two-VM limit a stopped macOS VM cannot start (a Linux one can)', () => {
    const menu = buildTrayMenu(state({ vms: [running('a'), running('b', '127.0.64.3'), vm('c'), vm('l', { os: 'linux' })] }))
    expect(item(menu, 'Running VMs').label).toBe('Running VMs: 2 of 2 (limit reached)')
    expect(item(vmMenu(menu, 'c'), 'Start')).toMatchObject({ enabled: false, label: 'Start (limit of 2 running VMs reached)' })
    expect(item(vmMenu(menu, 'l'), 'Start').enabled).toBe(true)
  })

  it('counts a snapshot copy started by hand with Tart, which the list leaves out but holds a slot', () => {
    const menu = buildTrayMenu(state({ vms: [running('a'), vm('c')], unlisted: ['c.snap.before'] }))
    expect(item(menu, 'Running VMs').label).toBe('Running VMs: 2 of 2 (limit reached)')
    expect(item(vmMenu(menu, 'c'), 'Start').enabled).toBe(false)
    expect(trayTooltip(state({ vms: [], unlisted: ['c.snap.before'] }))).toContain('1 of 2 VMs running')
  })

  it('while a task runs on a VM its actions are disabled and the task is listed', () => {
    const menu = buildTrayMenu(state({ vms: [running('dev')], tasks: [task('t', { vm: 'dev', title: 'Snapshot dev', percent: 41.6 })] }))
    expect(labels(menu)).toContain('Snapshot dev (42%)')
    const sub = vmMenu(menu, 'dev')
    expect(item(sub, 'State').label).toBe('State: running (busy)')
    for (const l of ['Stop', 'Restart', 'Suspend', 'Take Snapshot']) expect(item(sub, l).enabled).toBe(false)
    expect(item(menu, 'Quit').label).toBe('Quit CAL…')
  })

  it('shows transitional and error states, and hides snapshot clones', () => {
    const menu = buildTrayMenu(state({ vms: [vm('a', { state: 'starting' }), vm('b', { state: 'error', error: 'died' }), vm('a-snap', { role: 'snapshot' })] }))
    expect(labels(menu)).toEqual(expect.arrayContaining(['a — starting…', 'b — error']))
    expect(labels(menu).some((l) => l?.startsWith('a-snap'))).toBe(false)
    expect(item(vmMenu(menu, 'b'), 'Start').enabled).toBe(true)
    expect(item(vmMenu(menu, 'a'), 'Start').enabled).toBe(false)
  })

  it('a suspended VM offers Resume, not Start', () => {
    const sub = vmMenu(buildTrayMenu(state({ vms: [vm('dev', { state: 'suspended' })] })), 'dev')
    expect(item(sub, 'Resume')).toMatchObject({ label: 'Resume', enabled: true, action: { kind: 'vm:start', vm: 'dev' } })
    expect(labels(sub)).not.toContain('Start')
    expect(item(sub, 'Stop').enabled).toBe(false)
    expect(item(sub, 'Suspend').enabled).toBe(false)
  })

  it('item titles use title-style capitalization, as macOS menus do', () => {
    const sub = vmMenu(buildTrayMenu(state({ vms: [running('dev', '127.0.64.5', { lastSessionSnapshotAt: '2026-01-01T09:00:00Z' })] })), 'dev')
    expect(labels(sub).filter((l) => !/^(State|IP):/.test(l ?? ''))).toEqual([
      'Start', 'Stop', 'Restart', 'Suspend', 'Take Snapshot', 'Roll Back to Session Start…', 'Open Terminal', 'Open in Screen Sharing', 'Copy SSH Command',
    ])
  })

  it('while a tray action is under way for a VM (before its task exists) its items wait and the icon is busy', () => {
    const s = state({ vms: [running('dev', '127.0.64.5', { lastSessionSnapshotAt: '2026-01-01T09:00:00Z' }), vm('other')], pending: new Set(['dev']) })
    const sub = vmMenu(buildTrayMenu(s), 'dev')
    expect(item(sub, 'State').label).toBe('State: running (busy)')
    for (const l of ['Stop', 'Restart', 'Take Snapshot', 'Roll Back']) expect(item(sub, l).enabled).toBe(false)
    expect(item(vmMenu(buildTrayMenu(s), 'other'), 'Start').enabled).toBe(true)
    expect(trayIconState(s)).toBe('busy')
  })

  it('after "Quit When Done" it says CAL quits when the tasks end', () => {
    expect(labels(buildTrayMenu(state({ tasks: [task('t', { title: 'Snapshot dev' })], quitWhenDone: true })))).toContain('CAL quits when these tasks end')
  })

  it('before the first VM list has come (Tart is slow to answer at launch): "Looking for VMs…", not "No VMs yet"', () => {
    expect(labels(buildTrayMenu(state({ listed: false })))).toEqual(['Running VMs: 0 of 2', 'Looking for VMs…', 'Open CAL', 'Settings…', 'Quit CAL'])
  })

  it('without Tart: says so instead of "No VMs yet", and leads to the window that explains the install', () => {
    const s = state({ tartMissing: true })
    const menu = buildTrayMenu(s)
    expect(labels(menu)).toEqual(['Running VMs: 0 of 2', 'Tart not found', 'Install Tart…', 'Open CAL', 'Settings…', 'Quit CAL'])
    expect(item(menu, 'Install Tart').action).toEqual({ kind: 'app:open' })
    expect(trayIconState(s)).toBe('error')
    expect(trayTooltip(s)).toBe('CAL: Tart not found')
  })
})
