import { beforeEach, describe, expect, it, vi } from 'vitest'
import { defaultSettings } from '../../src/shared/settings'
import type { Notice } from '../../src/shared/notify'
import { BELL_QUIET_MS, deliveryFor, isNoticeEnabled, noticeForTask, NoticeTracker } from '../../src/main/notify/policy'
import { running, task, vm } from './fixtures'

vi.mock('electron', () => import('./electron-mock'))
const { fake, Notification } = await import('./electron-mock')
const { MAX_LIVE, Notifier } = await import('../../src/main/notify/notifier')

describe('notification policy', () => {
  it('a VM that becomes ready (running with an IP) → vmReady opening its terminal; the first list is a baseline', () => {
    const t = new NoticeTracker()
    expect(t.onVms([running('dev')])).toEqual([])
    expect(t.onVms([running('dev'), vm('b', { state: 'starting' })])).toEqual([])
    const [n] = t.onVms([running('dev'), running('b', '127.0.64.9')])
    expect(n).toMatchObject({ kind: 'vmReady', level: 'success', title: 'b is ready', target: { view: 'terminal', vm: 'b' } })
    expect(n!.body).toContain('127.0.64.9')
  })

  it('a VM coming back up inside a snapshot or restore (or just after) is that task\'s news, not a "ready"', () => {
    const t = new NoticeTracker()
    t.onVms([running('dev')], 0)
    t.onTask(task('s', { kind: 'snapshot', vm: 'dev' }), 0)
    expect(t.onVms([vm('dev', { state: 'suspended' })], 1_000)).toEqual([])
    expect(t.onVms([running('dev')], 2_000)).toEqual([])
    t.onTask(task('s', { kind: 'snapshot', vm: 'dev', state: 'succeeded' }), 3_000)
    // The list may show it back up only after the task ended.
    t.onVms([vm('dev', { state: 'suspended' })], 3_500)
    expect(t.onVms([running('dev')], 4_000)).toEqual([])
    // Later, a stop and a start of the user's own are news again.
    t.onVms([vm('dev', { state: 'stopped' })], 30_000)
    expect(t.onVms([running('dev')], 31_000)).toMatchObject([{ kind: 'vmReady' }])
    // A snapshot that failed leaves no quiet time behind.
    t.onTask(task('f', { kind: 'restore', vm: 'dev' }), 40_000)
    t.onTask(task('f', { kind: 'restore', vm: 'dev', state: 'failed' }), 41_000)
    t.onVms([vm('dev', { state: 'stopped' })], 42_000)
    expect(t.onVms([running('dev')], 43_000)).toMatchObject([{ kind: 'vmReady' }])
  })

  it('snapshot, restore and rollback done; each task reported once', () => {
    const t = new NoticeTracker()
    expect(t.onTask(task('s', { kind: 'snapshot', vm: 'dev' }))).toBeNull()
    expect(t.onTask(task('s', { kind: 'snapshot', vm: 'dev', state: 'succeeded' }))).toMatchObject({ kind: 'snapshotDone', target: { view: 'snapshots', vm: 'dev' } })
    expect(t.onTask(task('s', { kind: 'snapshot', vm: 'dev', state: 'succeeded' }))).toBeNull()
    expect(noticeForTask(task('r', { kind: 'restore', state: 'succeeded' }))).toMatchObject({ kind: 'restoreDone', title: 'Snapshot restored' })
    // A second Start queued behind the first (a double click) found the VM running: nothing to tell.
    expect(noticeForTask(task('d', { kind: 'start', state: 'failed', error: { code: 'VM_ALREADY_RUNNING', message: 'The VM "a" is already running.', hint: '', details: { vm: 'a', state: 'running' } } }))).toBeNull()
    expect(noticeForTask(task('r', { kind: 'rollback', state: 'succeeded' }))).toMatchObject({ kind: 'restoreDone', title: 'Rolled back to session start' })
    expect(noticeForTask(task('x', { kind: 'start', state: 'succeeded' }))).toBeNull()
    expect(noticeForTask(task('x', { kind: 'start', state: 'cancelled' }))).toBeNull()
  })

  it('a VM created while the user was elsewhere is news (an image pull takes long); it opens the VM', () => {
    const n = noticeForTask(task('c', { kind: 'create', vm: 'dev', title: 'Create dev', state: 'succeeded' }))
    expect(n).toMatchObject({ id: 'task:c', kind: 'vmReady', level: 'success', title: 'dev is created', target: { view: 'workspace', vm: 'dev' } })
    expect(noticeForTask(task('c', { kind: 'create', vm: 'dev', state: 'cancelled' }))).toBeNull()
  })

  it('a failed task carries its reason and hint; the VM limit has its own kind', () => {
    const failed = noticeForTask(task('f', { title: 'Create dev', state: 'failed', error: { code: 'DISK_FULL', message: 'The disk is full.', hint: 'Delete old snapshots.' } }))
    expect(failed).toMatchObject({ kind: 'taskFailed', level: 'error', title: 'Create dev failed', body: 'The disk is full. Delete old snapshots.', error: { code: 'DISK_FULL' } })
    expect(failed!.target).toMatchObject({ view: 'tasks', taskId: 'f' })
    const limit = noticeForTask(task('l', { state: 'failed', error: { code: 'VM_LIMIT_REACHED', message: 'Two macOS VMs are running.', hint: 'Stop one.' } }))
    expect(limit).toMatchObject({ kind: 'vmLimit', title: 'VM limit reached' })
    // A notification is the app's: it words the hint as the app does, not as the command line does.
    const twice = noticeForTask(task('w', { state: 'failed', error: { code: 'VM_NOT_RUNNING', message: 'dev is not running.', hint: 'Run `cal start dev`.', appHint: 'Start it first.' } }))
    expect(twice!.body).toBe('dev is not running. Start it first.')
  })

  it('a VM that stops on its own → vmStoppedUnexpectedly; a stop CAL drove → nothing', () => {
    const t = new NoticeTracker()
    t.onVms([running('a'), running('b', '127.0.64.3')])
    t.onTask(task('stop-a', { kind: 'stop', vm: 'a' }))
    const notices = t.onVms([vm('a'), vm('b', { state: 'error', error: 'guest has stopped the virtual machine due to error: boom' })])
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({ kind: 'vmStoppedUnexpectedly', title: 'b stopped unexpectedly', error: { code: 'VM_DIED' } })
    expect(notices[0]!.body).toContain('boom')
    // The expected stop is used up: after a restart, a crash of "a" is reported again.
    t.onTask(task('stop-a', { kind: 'stop', vm: 'a', state: 'succeeded' }))
    t.onVms([running('a'), vm('b')])
    expect(t.onVms([vm('a'), vm('b')])).toMatchObject([{ kind: 'vmStoppedUnexpectedly' }])
  })

  it('a stop through "stopping" is CAL\'s own', () => {
    const t = new NoticeTracker()
    t.onVms([running('a')])
    t.onVms([vm('a', { state: 'stopping' })])
    expect(t.onVms([vm('a')])).toEqual([])
  })

  it('each kind can be turned off, and all of them at once', () => {
    const s = defaultSettings()
    const n = noticeForTask(task('s', { kind: 'snapshot', state: 'succeeded' }))!
    expect(isNoticeEnabled(n, s)).toBe(true)
    expect(isNoticeEnabled(n, { notifications: { enabled: true, kinds: { ...s.notifications.kinds, snapshotDone: false } } })).toBe(false)
    expect(isNoticeEnabled(n, { notifications: { ...s.notifications, enabled: false } })).toBe(false)
  })

  it("a terminal's bell → terminalBell opening that terminal, at most once per quiet period per terminal", () => {
    const t = new NoticeTracker()
    const bell = { id: 't1', vm: 'dev', title: 'cal-agent in dev' }
    const n = t.onBell(bell, 1_000)!
    expect(n).toMatchObject({ kind: 'terminalBell', title: 'cal-agent in dev rang the bell', target: { view: 'terminal', vm: 'dev', sessionId: 't1' } })
    expect(t.onBell(bell, 1_000 + BELL_QUIET_MS - 1)).toBeNull()
    expect(t.onBell({ ...bell, id: 't2' }, 1_500)).not.toBeNull()
    expect(t.onBell(bell, 1_000 + BELL_QUIET_MS)).not.toBeNull()
    const s = defaultSettings()
    expect(isNoticeEnabled(n, s)).toBe(true)
    expect(isNoticeEnabled(n, { notifications: { enabled: true, kinds: { ...s.notifications.kinds, terminalBell: false } } })).toBe(false)
  })

  it('a focused window gets a toast, otherwise a native notification', () => {
    expect(deliveryFor(true)).toBe('toast')
    expect(deliveryFor(false)).toBe('native')
  })
})

describe('Notifier (Electron glue)', () => {
  beforeEach(() => fake.reset())
  const notice: Notice = {
    id: 'vm:dev:ready',
    kind: 'vmReady',
    level: 'success',
    title: 'dev is ready',
    body: 'Running at 127.0.64.2.',
    error: null,
    target: { view: 'terminal', vm: 'dev', sessionId: null, taskId: null },
  }
  const setup = (focused: boolean, settings = defaultSettings()) => {
    const deps = { settings: () => settings, windowFocused: () => focused, toast: vi.fn(), open: vi.fn() }
    return { deps, notifier: new Notifier(deps) }
  }

  it('focused: an in-app toast, no native notification', () => {
    const { deps, notifier } = setup(true)
    notifier.show(notice)
    expect(deps.toast).toHaveBeenCalledWith(notice)
    expect(Notification.instances).toHaveLength(0)
  })

  it('not focused: a native notification, kept referenced until clicked; the click opens its view', () => {
    const { deps, notifier } = setup(false)
    notifier.show(notice)
    const n = Notification.instances[0]!
    expect(n.shown).toBe(true)
    expect(n.options).toMatchObject({ title: 'dev is ready', actions: [{ type: 'button', text: 'Open Terminal' }] })
    expect(notifier.pending).toBe(1)
    n.emit('click')
    expect(deps.open).toHaveBeenCalledWith(notice.target)
    expect(notifier.pending).toBe(0)
  })

  it('dismissing releases it; a kind turned off shows nothing', () => {
    const { notifier } = setup(false)
    notifier.show(notice)
    Notification.instances[0]!.close()
    expect(notifier.pending).toBe(0)
    const s = defaultSettings()
    s.notifications.kinds.vmReady = false
    const off = setup(false, s)
    off.notifier.show(notice)
    expect(Notification.instances).toHaveLength(1)
    expect(off.deps.toast).not.toHaveBeenCalled()
  })

  const failure: Notice = {
    id: 'tray:1',
    kind: 'taskFailed',
    level: 'error',
    title: 'Copy SSH command for dev failed',
    body: 'The VM "dev" is not running.',
    error: { code: 'VM_NOT_RUNNING', message: 'The VM "dev" is not running.', hint: '' },
    target: { view: 'workspace', vm: 'dev', sessionId: null, taskId: null },
  }

  it("a tray item's failure reaches the user with notifications turned off: the window opens at the VM, with the toast", () => {
    const off = defaultSettings()
    off.notifications.enabled = false
    const { deps, notifier } = setup(false, off)
    notifier.report(failure)
    expect(Notification.instances).toHaveLength(0)
    expect(deps.open).toHaveBeenCalledWith(failure.target)
    expect(deps.toast).toHaveBeenCalledWith(failure)
    const kindOff = defaultSettings()
    kindOff.notifications.kinds.taskFailed = false
    const second = setup(false, kindOff)
    second.notifier.report(failure)
    expect(second.deps.open).toHaveBeenCalledWith(failure.target)
    expect(second.deps.toast).toHaveBeenCalledWith(failure)
  })

  it("a tray item's failure: a native notification when allowed (the window stays put), the window when it could not be shown", () => {
    const { deps, notifier } = setup(false)
    notifier.report(failure)
    expect(Notification.instances).toHaveLength(1)
    expect(deps.open).not.toHaveBeenCalled()
    Notification.instances[0]!.emit('failed', {}, 'denied')
    expect(deps.open).toHaveBeenCalledWith(failure.target)
    expect(deps.toast).toHaveBeenCalledWith(failure)
    const focused = setup(true)
    focused.notifier.report(failure)
    expect(focused.deps.toast).toHaveBeenCalledWith(failure)
    expect(focused.deps.open).not.toHaveBeenCalled()
  })

  it('keeps only the newest notifications referenced: macOS does not always say when one is gone', () => {
    const { notifier } = setup(false)
    for (let i = 0; i < MAX_LIVE + 30; i++) notifier.show({ ...notice, id: `n${i}` })
    expect(notifier.pending).toBe(MAX_LIVE)
    // The newest still opens its view.
    Notification.instances.at(-1)!.emit('click')
    expect(notifier.pending).toBe(MAX_LIVE - 1)
  })
})
