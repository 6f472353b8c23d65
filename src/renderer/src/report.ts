import type { CalErrorData } from '../../shared/errors'
import { endedAsAsked, type Task } from '../../shared/task'
import { UiError, errorData } from './api'
import { useApp } from './store/app'
import { useUi } from './store/ui'

/** Running VM names from a VM_LIMIT_REACHED error's details, whatever shape the engine used. */
export function runningFromDetails(error: CalErrorData): string[] {
  const running = error.details?.running
  if (!Array.isArray(running)) return []
  return running.map((r) => (typeof r === 'string' ? r : typeof r === 'object' && r && 'name' in r ? String(r.name) : String(r)))
}

/** Every failure reaches the user the same way: the VM limit as its own dialog, everything else as a toast. */
export function reportError(err: unknown, title: string, opts: { vm?: string | null; id?: string; log?: string[] } = {}): void {
  const error = errorData(err)
  const ui = useUi.getState()
  if (error.code === 'VM_LIMIT_REACHED') {
    // Main's notice of the same refusal may have come first, as a toast: the sheet says it all.
    for (const t of ui.toasts) if (t.error?.code === 'VM_LIMIT_REACHED') ui.dismissToast(t.id)
    ui.openDialog({ kind: 'limit', vm: opts.vm ?? null, running: runningFromDetails(error), error })
    return
  }
  // A call cut off by a lost link to CAL (browser host): the banner says so while it lasts, and what was being loaded
  // is loaded again on reconnect; a toast per call would only repeat it.
  if (error.details?.linkLost === true && useApp.getState().linkDown) return
  const base = title.replace(/ failed$/, '')
  if (error.code === 'CANCELLED') {
    ui.pushToast({ id: opts.id ?? `cancel:${Date.now()}`, level: 'info', title: `${base}: cancelled`, body: error.message, error: null, log: [] })
    return
  }
  ui.pushToast({
    id: opts.id ?? `error:${Date.now()}:${Math.random()}`,
    level: 'error',
    title: `${base} failed`,
    body: error.message,
    error,
    log: opts.log ?? [],
  })
}

/** Whether two reports are of the same failure: a task's end, main's notice of it, the call that waited for it. */
export function sameFailure(a: CalErrorData | null, b: CalErrorData): boolean {
  return a !== null && a.code === b.code && a.message === b.message
}

/** Outcomes worth a toast when they end: failures always, successes the user waits for. */
const ANNOUNCE_SUCCESS = new Set<Task['kind']>(['create', 'delete', 'snapshot', 'restore', 'rollback', 'snapshot-delete'])

/**
 * Whether the New workspace sheet is open on the task whose toast would have this id: the sheet shows how that task
 * ended, and a toast would only repeat it (under the sheet's backdrop, at that).
 */
export function shownInCreateSheet(toastId: string): boolean {
  const dialog = useUi.getState().dialog
  return dialog?.kind === 'create' && dialog.taskId !== undefined && toastId === `task:${dialog.taskId}`
}

export function reportTaskEnd(task: Task): void {
  const id = `task:${task.id}`
  if (shownInCreateSheet(id) || endedAsAsked(task)) return
  if (task.state === 'failed' || task.state === 'cancelled') {
    const error = task.error ?? { code: task.state === 'cancelled' ? 'CANCELLED' : 'INTERNAL', message: `${task.title} did not finish.`, hint: '' }
    reportError(new UiError(error), `${task.title} failed`, { vm: task.vm, id, log: task.log })
    return
  }
  // Main's notice for the same task (same id: "Snapshot taken", with what it was) says more: it wins in either order.
  if (task.state === 'succeeded' && ANNOUNCE_SUCCESS.has(task.kind) && !useUi.getState().toasts.some((t) => t.id === id)) {
    useUi.getState().pushToast({ id, level: 'success', title: task.title, body: 'Done.', error: null, log: [] })
  }
}
