import { beforeEach, describe, expect, it, vi } from 'vitest'
import { session, task, vmInfo } from '../test/fixtures'
import { reportError, reportTaskEnd, runningFromDetails } from '../report'
import { UiError } from '../api'
import { HOST_KEY, sessionLabel, tabsFor, useSessions } from './sessions'
import { mergeSessions, onMenuCommand, onNotice } from './events'
import { ENDED_MEANWHILE } from '../terminal/registry'
import { orderTasks } from './tasks'
import { useApp } from './app'
import { MAX_TOASTS, STALE_ERROR_MS, TOAST_MS, toastLifetime, useUi, type Toast } from './ui'
import { runningVms, useVms } from './vms'

beforeEach(() => {
  useVms.setState({ vms: [], selected: null, previous: null, loaded: false })
  useSessions.setState({ sessions: [], messages: {}, activeByContext: {}, attention: {} })
  useUi.setState({ view: 'workspace', dialog: null, paletteOpen: false, toasts: [] })
})

describe('vm store', () => {
  it('sorts, hides snapshot clones, and keeps the selection while the VM exists', () => {
    useVms.getState().setVms([vmInfo('b'), vmInfo('a'), vmInfo('a--snap', { role: 'snapshot' })])
    expect(useVms.getState().vms.map((v) => v.name)).toEqual(['a', 'b'])
    expect(useVms.getState().selected).toBe('a')
    useVms.getState().select('b')
    useVms.getState().setVms([vmInfo('b', { state: 'running' }), vmInfo('a')])
    expect(useVms.getState().selected).toBe('b')
    useVms.getState().setVms([vmInfo('c')])
    expect(useVms.getState().selected).toBe('c')
  })

  it('goes back to the VM selected before when the selected one goes away (a failed create), not to another', () => {
    useVms.getState().setVms([vmInfo('clean'), vmInfo('dev'), vmInfo('other', { state: 'running' })])
    useVms.getState().select('dev')
    // A create selects its VM before the list has it; the clone fails and it never shows up, or shows up and goes.
    useVms.getState().select('ws2')
    useVms.getState().setVms([vmInfo('clean'), vmInfo('dev'), vmInfo('other', { state: 'running' }), vmInfo('ws2')])
    expect(useVms.getState().selected).toBe('ws2')
    useVms.getState().setVms([vmInfo('clean'), vmInfo('dev'), vmInfo('other', { state: 'running' })])
    expect(useVms.getState().selected).toBe('dev')
    // Gone too: where the work is.
    useVms.getState().setVms([vmInfo('clean'), vmInfo('other', { state: 'running' })])
    expect(useVms.getState().selected).toBe('other')
  })

  it('selects the first running VM when nothing is selected yet', () => {
    useVms.getState().setVms([vmInfo('a'), vmInfo('b', { state: 'running' })])
    expect(useVms.getState().selected).toBe('b')
  })

  it('is not "empty" until the first list arrives, even an empty one', () => {
    expect(useVms.getState().loaded).toBe(false)
    useVms.getState().setVms([])
    expect(useVms.getState()).toMatchObject({ loaded: true, vms: [] })
  })

  it('counts macOS VMs that hold a slot', () => {
    const vms = [vmInfo('a', { state: 'running' }), vmInfo('b', { state: 'starting' }), vmInfo('c', { state: 'suspended' }), vmInfo('d', { state: 'running', os: 'linux' })]
    expect(runningVms(vms).map((v) => v.name)).toEqual(['a', 'b'])
  })
})

describe('session store', () => {
  it('shows a VM its own tabs, agent first, then the Host tabs', () => {
    const all = [session('s1', 'a'), session('h1', null), session('ag', 'a', { kind: 'agent' }), session('s2', 'b')]
    expect(tabsFor(all, 'a').map((s) => s.id)).toEqual(['ag', 's1', 'h1'])
    expect(tabsFor(all, null).map((s) => s.id)).toEqual(['h1'])
  })

  it('remembers the active tab per VM and picks a neighbour when it closes', () => {
    const store = useSessions.getState()
    store.add(session('s1', 'a'), 'a')
    store.add(session('s2', 'a'), 'a')
    store.add(session('t1', 'b'), 'b')
    expect(useSessions.getState().activeByContext).toEqual({ a: 's2', b: 't1' })
    useSessions.getState().remove('s2')
    expect(useSessions.getState().activeByContext.a).toBe('s1')
    useSessions.getState().remove('t1')
    expect(useSessions.getState().activeByContext.b).toBeUndefined()
    useSessions.getState().add(session('h', null), HOST_KEY)
    useSessions.getState().setState('h', 'reconnecting', 'network dropped')
    expect(useSessions.getState().sessions.find((s) => s.id === 'h')?.state).toBe('reconnecting')
    expect(useSessions.getState().messages.h).toBe('network dropped')
  })

  it('marks a session that rang the bell until it is shown or closed', () => {
    const store = useSessions.getState()
    store.add(session('s1', 'a'), 'a')
    store.setAttention('s1', true)
    const marked = useSessions.getState()
    store.setAttention('s1', true)
    expect(useSessions.getState()).toBe(marked)
    expect(marked.attention).toEqual({ s1: true })
    store.setAttention('s1', false)
    expect(useSessions.getState().attention).toEqual({})
    store.setAttention('s1', true)
    useSessions.getState().remove('s1')
    expect(useSessions.getState().attention).toEqual({})
  })

  it("names a tmux session by its tab's given name, with tmux's own after it, wherever the app names it", () => {
    const names = { 'tmux:a:shell-2': 'build' }
    expect(sessionLabel(names, 'a', 'shell-2')).toBe('build (shell-2)')
    // Another VM's session of the same name, and a session nobody named, keep tmux's name.
    expect(sessionLabel(names, 'b', 'shell-2')).toBe('shell-2')
    expect(sessionLabel(names, 'a', 'shell-3')).toBe('shell-3')
  })

  it('drops a message the user dismissed, until the engine says something new', () => {
    const store = useSessions.getState()
    store.add(session('s1', 'a'), 'a')
    store.setState('s1', 'connected', 'the VM restarted')
    store.dismissMessage('s1')
    expect(useSessions.getState().messages.s1).toBeNull()
    const quiet = useSessions.getState()
    store.dismissMessage('s1')
    expect(useSessions.getState()).toBe(quiet)
    store.setState('s1', 'connected', 'the keychain stayed locked')
    expect(useSessions.getState().messages.s1).toBe('the keychain stayed locked')
  })

  it('after a break, takes the engine\'s sessions in the tabs\' order and keeps a tab whose session ended meanwhile, ended', () => {
    const store = useSessions.getState()
    store.add(session('s1', 'a'), 'a')
    store.add(session('s2', 'a'), 'a')
    store.add(session('s3', 'a', { state: 'closed' }), 'a')
    store.setState('s2', 'reconnecting', 'The connection to the VM was lost.')
    mergeSessions([session('s4', 'a'), session('s2', 'a', { state: 'reconnecting' }), session('s1', 'a')])
    const after = useSessions.getState()
    expect(after.sessions.map((s) => [s.id, s.state])).toEqual([
      ['s1', 'connected'],
      ['s2', 'reconnecting'],
      ['s3', 'closed'],
      ['s4', 'connected'],
    ])
    expect(after.messages.s3).toBeUndefined()
    // The engine's state replaces the one from before the break, and the old message with it.
    expect(after.messages.s2).toBeNull()
    mergeSessions([session('s4', 'a')])
    expect(useSessions.getState().sessions.find((s) => s.id === 's1')).toMatchObject({ state: 'closed' })
    expect(useSessions.getState().messages.s1).toBe(ENDED_MEANWHILE)
  })
})

describe('error reporting', () => {
  const limit = { code: 'VM_LIMIT_REACHED' as const, message: 'Two macOS VMs are running.', hint: 'Stop one first.', details: { running: ['x', { name: 'y' }] } }

  it('turns VM_LIMIT_REACHED into the limit dialog with the running VMs', () => {
    reportError(new UiError(limit), 'Start c', { vm: 'c' })
    expect(useUi.getState().dialog).toEqual({ kind: 'limit', vm: 'c', running: ['x', 'y'], error: limit })
    expect(runningFromDetails({ ...limit, details: undefined })).toEqual([])
  })

  it('answers no to a power question that the limit sheet replaces, so what waits on it does not wait for ever', () => {
    const decide = vi.fn()
    const question = { title: 'Snapshot dev?', running: ['build: make'], consequence: '', confirm: 'Shut down and snapshot' }
    useUi.getState().openDialog({ kind: 'power-confirm', vm: 'dev', question, decide })
    reportError(new UiError(limit), 'Start c', { vm: 'c' })
    expect(useUi.getState().dialog?.kind).toBe('limit')
    expect(decide).toHaveBeenCalledWith(false)
    // Closed without its confirm button (Cancel, Escape), it is a no too.
    const closed = vi.fn()
    useUi.getState().openDialog({ kind: 'power-confirm', vm: 'dev', question, decide: closed })
    useUi.getState().closeDialog()
    expect(closed).toHaveBeenCalledWith(false)
  })

  it("shows the VM limit once, in its sheet, whether main's notice comes before or after", () => {
    const notice = { id: 'task:l1', kind: 'vmLimit' as const, level: 'error' as const, title: 'VM limit reached', body: limit.message, error: limit, target: null }
    const limitToasts = () => useUi.getState().toasts.filter((t) => t.error?.code === 'VM_LIMIT_REACHED')
    useUi.getState().closeDialog()
    onNotice(notice)
    expect(limitToasts()).toHaveLength(1)
    reportError(new UiError(limit), 'Start c', { vm: 'c' })
    expect(useUi.getState().dialog?.kind).toBe('limit')
    expect(limitToasts()).toHaveLength(0)
    onNotice({ ...notice, id: 'task:l2' })
    expect(limitToasts()).toHaveLength(0)
  })

  it('shows no toast for a call cut off by the lost link while the banner says so; one once the link is back', () => {
    const cut = { code: 'INTERNAL' as const, message: 'Lost the connection to the CAL browser host.', hint: '', details: { linkLost: true } }
    const count = () => useUi.getState().toasts.filter((t) => t.body === cut.message).length
    const before = count()
    useApp.getState().setLinkDown(true)
    try {
      reportError(new UiError(cut), 'List snapshots of a failed', { vm: 'a' })
      expect(count()).toBe(before)
    } finally {
      useApp.getState().setLinkDown(false)
    }
    reportError(new UiError(cut), 'List snapshots of a failed', { vm: 'a' })
    expect(count()).toBe(before + 1)
  })

  it('shows other errors as toasts with the hint, once per task', () => {
    const failed = task('t1', { state: 'failed', title: 'Restore a', error: { code: 'DISK_FULL', message: 'Disk full.', hint: 'Delete snapshots.' }, log: ['x'] })
    reportTaskEnd(failed)
    reportTaskEnd(failed)
    const toasts = useUi.getState().toasts
    expect(toasts).toHaveLength(1)
    expect(toasts[0]).toMatchObject({ id: 'task:t1', level: 'error', title: 'Restore a failed', body: 'Disk full.', log: ['x'] })
    expect(toasts[0]?.error?.hint).toBe('Delete snapshots.')
  })

  it('says nothing of a second Start, Stop or Suspend that found the VM as asked already (a double click)', () => {
    const already = [
      task('d1', { kind: 'start', state: 'failed', error: { code: 'VM_ALREADY_RUNNING', message: 'The VM "a" is already running.', hint: '', details: { vm: 'a', state: 'running' } } }),
      task('d2', { kind: 'stop', state: 'failed', error: { code: 'VM_NOT_RUNNING', message: 'The VM "a" is already stopped.', hint: 'Nothing was done.', details: { vm: 'a', state: 'stopped' } } }),
      task('d3', { kind: 'suspend', state: 'failed', error: { code: 'VM_NOT_RUNNING', message: 'The VM "a" is not running (it is already suspended).', hint: '', details: { vm: 'a', state: 'suspended' } } }),
    ]
    for (const t of already) reportTaskEnd(t)
    expect(useUi.getState().toasts).toEqual([])
    // A suspend of a stopped VM is not "as asked": said.
    reportTaskEnd(task('d4', { kind: 'suspend', state: 'failed', error: { code: 'VM_NOT_RUNNING', message: 'The VM "a" is not running.', hint: '', details: { vm: 'a', state: 'stopped' } } }))
    expect(useUi.getState().toasts.map((t) => t.id)).toEqual(['task:d4'])
  })

  it('announces finished snapshots but not every start', () => {
    reportTaskEnd(task('s', { kind: 'snapshot', state: 'succeeded', title: 'Snapshot a' }))
    reportTaskEnd(task('t', { kind: 'start', state: 'succeeded' }))
    expect(useUi.getState().toasts.map((t) => t.id)).toEqual(['task:s'])
  })

  it('main\'s notice for a finished task wins over the page\'s own "Done." toast, whichever arrives first', () => {
    const notice = { id: 'task:n', level: 'success' as const, title: 'Snapshot taken', body: 'Snapshot a', error: null, log: [] }
    useUi.getState().pushToast(notice)
    reportTaskEnd(task('n', { kind: 'snapshot', state: 'succeeded', title: 'Snapshot a' }))
    expect(useUi.getState().toasts.find((t) => t.id === 'task:n')).toMatchObject({ title: 'Snapshot taken' })
  })

  it('shows a failed create once, in the New workspace sheet while it shows that task; as a toast once it is closed', () => {
    const failed = task('c1', { kind: 'create', state: 'failed', title: 'Create dev', error: { code: 'IMAGE_NOT_FOUND', message: 'No such image.', hint: 'Check it.' } })
    const notice = { id: 'task:c1', kind: 'taskFailed' as const, level: 'error' as const, title: 'Create dev failed', body: 'No such image. Check it.', error: failed.error, target: null }
    useUi.getState().openDialog({ kind: 'create', taskId: 'c1' })
    reportTaskEnd(failed)
    onNotice(notice)
    expect(useUi.getState().toasts).toEqual([])
    // Another task's failure still gets its toast while the sheet is open.
    reportTaskEnd({ ...failed, id: 'other' })
    expect(useUi.getState().toasts.map((t) => t.id)).toEqual(['task:other'])
    // Hidden before the end: the toast is where it is said.
    useUi.getState().closeDialog()
    onNotice(notice)
    expect(useUi.getState().toasts.map((t) => t.id)).toEqual(['task:other', 'task:c1'])
  })

  it('orders running tasks first, newest first', () => {
    const tasks = [task('old', { state: 'succeeded', startedAt: '2025-01-01T00:00:00Z' }), task('new', { state: 'failed', startedAt: '2025-01-02T00:00:00Z' }), task('run', { startedAt: '2024-01-01T00:00:00Z' })]
    expect(orderTasks(tasks).map((t) => t.id)).toEqual(['run', 'new', 'old'])
  })
})

describe('views', () => {
  it('Settings and Activity go back to the VM view they were opened from, even one from the other', () => {
    const ui = useUi.getState()
    ui.setView('snapshots')
    ui.setView('settings')
    ui.setView('tasks')
    useUi.getState().goBack()
    expect(useUi.getState().view).toBe('snapshots')
  })
})

describe('toasts', () => {
  const toast = (id: string, level: Toast['level'] = 'error'): Toast => ({ id, level, title: id, body: '', error: null, log: [] })

  it('shows a few at a time: a new one pushes the oldest out', () => {
    for (const id of ['a', 'b', 'c', 'd', 'e']) useUi.getState().pushToast(toast(id))
    expect(MAX_TOASTS).toBe(3)
    expect(useUi.getState().toasts.map((t) => t.id)).toEqual(['c', 'd', 'e'])
  })

  it('keeps the newest error until dismissed; older errors and other news go by themselves', () => {
    const all = [toast('e1'), toast('ok', 'success'), toast('e2'), toast('i', 'info')]
    expect(toastLifetime(all[2]!, all)).toBeNull()
    expect(toastLifetime(all[0]!, all)).toBe(STALE_ERROR_MS)
    expect(toastLifetime(all[1]!, all)).toBe(TOAST_MS)
    expect(toastLifetime(all[3]!, all)).toBe(TOAST_MS)
    // The newest error gone, the one before it is the one that waits.
    expect(toastLifetime(all[0]!, all.filter((t) => t.id !== 'e2'))).toBeNull()
  })
})

describe('native menu commands', () => {
  it('next and previous tab cycle through the VM\'s tabs, in the terminal view only', () => {
    useVms.getState().setVms([vmInfo('a', { state: 'running' })])
    for (const id of ['s1', 's2', 's3']) useSessions.getState().add(session(id, 'a'), 'a')
    onMenuCommand({ command: 'nextTab' })
    expect(useSessions.getState().activeByContext.a).toBe('s3')
    useUi.setState({ view: 'terminal' })
    onMenuCommand({ command: 'nextTab' })
    expect(useSessions.getState().activeByContext.a).toBe('s1')
    onMenuCommand({ command: 'previousTab' })
    onMenuCommand({ command: 'previousTab' })
    expect(useSessions.getState().activeByContext.a).toBe('s2')
  })

  it('run like the hotkeys; ⌘W with no tab to close closes the window, but never past an open sheet', () => {
    const close = vi.fn()
    vi.stubGlobal('window', { close })
    try {
      onMenuCommand({ command: 'palette' })
      expect(useUi.getState().paletteOpen).toBe(true)
      onMenuCommand({ command: 'closeTab' })
      expect(close).toHaveBeenCalledTimes(1)
      useUi.setState({ dialog: { kind: 'create' }, paletteOpen: false })
      onMenuCommand({ command: 'closeTab' })
      onMenuCommand({ command: 'newTab' })
      expect(close).toHaveBeenCalledTimes(1)
      expect(useUi.getState().dialog).toEqual({ kind: 'create' })
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
