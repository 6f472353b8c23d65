import { vmDownNoticePrefix, type Notice, type NavTarget } from '../../../shared/notify'
import type { VmInfo } from '../../../shared/vm'
import type { Task } from '../../../shared/task'
import type { TerminalSession } from '../../../shared/terminal'
import { cal, errorData, unwrap } from '../api'
import { useApp } from './app'
import { useSessions, contextKey } from './sessions'
import { useSettings } from './settings'
import { useSnapshots } from './snapshots'
import { useTasks } from './tasks'
import { useUi } from './ui'
import { useVms } from './vms'
import { loadSnapshots, reportTaskEnd } from '../actions'
import { shownInCreateSheet } from '../report'
import { runHotkey } from '../hooks/useHotkeys'
import { ENDED_MEANWHILE, isTermReleased, redrawAfterBreak } from '../terminal/registry'
import type { AppCommand } from '../../../shared/menu'

/** Kinds whose end changes a VM's snapshots or the disk they use. */
const SNAPSHOT_KINDS = new Set<Task['kind']>(['snapshot', 'restore', 'rollback', 'snapshot-delete', 'launch', 'create', 'delete'])

/** The store follows the engine's events; nothing here polls. Returns the disposer for every subscription. */
export function bindEvents(): () => void {
  const api = cal()
  const disposers = [
    api.on('vms:changed', (vms) => {
      const before = useVms.getState().vms.map((v) => v.name).join('\n')
      useVms.getState().setVms(vms)
      dropMootDownToasts(vms)
      // A VM came or went (here, by the command line, by Tart): the disk usage follows, and with it what a delete cut
      // short left of a VM that is gone.
      if (vms.map((v) => v.name).join('\n') !== before) refreshUsage().catch(() => {})
    }),
    api.on('vms:unlisted', (names) => useVms.getState().setUnlisted(names)),
    api.on('tasks:updated', onTask),
    // A tab closed here still hears its session's 'closed': there is no tab left to mark (see isTermReleased).
    api.on('terminal:state', (e) => {
      if (!isTermReleased(e.id)) useSessions.getState().setState(e.id, e.state, e.message)
    }),
    api.on('settings:changed', (view) => useSettings.getState().setView(view)),
    api.on('notice', onNotice),
    api.on('app:navigate', navigate),
    api.on('app:command', onMenuCommand),
    api.on('app:link', ({ connected }) => {
      useApp.getState().setLinkDown(!connected)
      if (connected) void resync()
    }),
  ]
  return () => disposers.forEach((d) => d())
}

function onTask(task: Task): void {
  const before = useTasks.getState().byId[task.id]
  useTasks.getState().upsert(task)
  const ended = task.state !== 'running' && (!before || before.state === 'running')
  if (!ended) return
  if (task.vm && SNAPSHOT_KINDS.has(task.kind)) void loadSnapshots(task.vm)
  // A create that failed or was cancelled leaves nothing to wait for (one that succeeded is listed by now, or soon:
  // its VM's arrival ends the wait too).
  if (task.kind === 'create' && task.vm && task.state !== 'succeeded') useVms.getState().giveUp(task.vm)
  reportTaskEnd(task)
}

export function onNotice(notice: Notice): void {
  // The VM limit has its own sheet (opened by the failed start), which names the running VMs and stops one: a toast
  // repeating it would only sit under that sheet's backdrop, where it cannot be dismissed.
  if (notice.error?.code === 'VM_LIMIT_REACHED' && useUi.getState().dialog?.kind === 'limit') return
  // The end of the create task the New workspace sheet shows is said there.
  if (shownInCreateSheet(notice.id)) return
  useUi.getState().pushToast({
    // A notice about a task carries the id `task:<id>`, the same as the toast the task itself raised, so it replaces it.
    id: notice.id,
    level: notice.level,
    title: notice.title,
    // A notice's body carries the hint too (for native notifications); the toast shows the hint on its own line.
    body: notice.error ? notice.error.message : notice.body,
    error: notice.error,
    log: [],
  })
}

/** An item of the native menu. ⌘W with no terminal tab to close closes the window, as in any Mac app. */
export function onMenuCommand({ command }: AppCommand): void {
  const modal = useUi.getState().dialog !== null
  if (!runHotkey({ kind: command }) && command === 'closeTab' && !modal) window.close()
}

export function navigate(target: NavTarget): void {
  const ui = useUi.getState()
  if (target.vm) useVms.getState().select(target.vm)
  if (target.sessionId) {
    const session = useSessions.getState().sessions.find((s) => s.id === target.sessionId)
    if (session) useSessions.getState().activate(contextKey(target.vm ?? session.vm), session.id)
  }
  ui.setView(target.view)
}

/**
 * The window's link to the engine came back after a break (the browser host's socket): every event sent meanwhile
 * was lost, so load everything again. Tasks go through onTask, so one that ended meanwhile is reported as usual;
 * a tab whose session ended meanwhile stays, marked ended, like any ended session; terminals are redrawn.
 */
export async function resync(): Promise<void> {
  await Promise.allSettled([
    unwrap(cal().app.status()).then((status) => useApp.getState().setStatus(status)),
    loadState((tasks) => tasks.forEach(onTask), mergeSessions),
  ])
}

/**
 * VMs, settings, tasks, terminal sessions and disk usage, then the selected VM's snapshots. Each part may fail on its
 * own (no Tart yet, for instance) without hiding the others; tasks and sessions go where the caller says.
 */
async function loadState(takeTasks: (tasks: Task[]) => void, takeSessions: (sessions: TerminalSession[]) => void): Promise<void> {
  const api = cal()
  await Promise.allSettled([
    unwrap(api.vms.list()).then((vms) => useVms.getState().setVms(vms)),
    unwrap(api.vms.unlisted()).then((names) => useVms.getState().setUnlisted(names)),
    unwrap(api.settings.get()).then((view) => useSettings.getState().setView(view)),
    unwrap(api.tasks.list()).then(takeTasks),
    unwrap(api.terminal.list()).then(takeSessions),
    refreshUsage(),
  ])
  const selected = useVms.getState().selected
  if (selected) await loadSnapshots(selected)
}

/** Disk usage; a failure (no Tart yet) leaves the last one in place, as the views that show it are said elsewhere. */
async function refreshUsage(): Promise<void> {
  useSnapshots.getState().setUsage(await unwrap(cal().snapshots.diskUsage()))
}

/** The engine's sessions, in the tabs' order; the window's tabs whose session is gone stay, ended. */
export function mergeSessions(fresh: TerminalSession[]): void {
  const store = useSessions.getState()
  const byId = new Map(fresh.map((s) => [s.id, s]))
  const known = new Set(store.sessions.map((s) => s.id))
  const ended = store.sessions.filter((s) => !byId.has(s.id) && !isTermReleased(s.id))
  store.setAll([
    ...store.sessions.filter((s) => !isTermReleased(s.id)).map((s) => byId.get(s.id) ?? { ...s, state: 'closed' as const }),
    ...fresh.filter((s) => !known.has(s.id)),
  ])
  for (const s of ended) if (s.state !== 'closed') store.setState(s.id, 'closed', ENDED_MEANWHILE)
  // A state change lost in the break (reconnected to the VM meanwhile, or lost it) is the engine's word now, in the tab
  // and over the terminal, with what the engine last said about it (the message of the old state no longer applies).
  for (const s of fresh) store.setState(s.id, s.state, s.message ?? null)
  redrawAfterBreak(fresh)
}

/** The first load: nothing more once the engine itself cannot be reached. */
export async function bootstrap(): Promise<void> {
  try {
    useApp.getState().setStatus(await unwrap(cal().app.status()))
  } catch (err) {
    useApp.getState().setLoadError(errorData(err))
    return
  }
  await loadState(
    (tasks) => useTasks.getState().setAll(tasks),
    (sessions) => useSessions.getState().setAll(sessions),
  )
}

/** A VM that runs again makes its "stopped unexpectedly" toast old news: it goes, rather than cover the terminal. */
function dropMootDownToasts(vms: readonly VmInfo[]): void {
  const ui = useUi.getState()
  for (const vm of vms) {
    if (vm.state !== 'running') continue
    const prefix = vmDownNoticePrefix(vm.name)
    for (const t of ui.toasts) if (t.id.startsWith(prefix)) ui.dismissToast(t.id)
  }
}
