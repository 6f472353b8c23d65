import type { EventPayload } from '../../shared/api'
import { vmDownNoticeId, type NavTarget, type Notice } from '../../shared/notify'
import type { Settings } from '../../shared/settings'
import { endedAsAsked, type Task, type TaskKind } from '../../shared/task'
import type { VmInfo } from '../../shared/vm'
import { appHintOf } from '../../shared/errors'

/** Tasks during which a VM going down is CAL's own doing, not a crash. */
const STOPPING_KINDS: ReadonlySet<TaskKind> = new Set(['stop', 'restart', 'suspend', 'delete', 'restore', 'rollback', 'snapshot'])

/** Tasks that pause or replace a running VM and say when they are done (Snapshot taken, Snapshot restored…): the VM
 * coming back up during or just after one is part of that task, not a separate "ready". */
const SELF_REPORTING_KINDS: ReadonlySet<TaskKind> = new Set(['snapshot', 'restore', 'rollback'])
/** How long after such a task a VM coming up still counts as its doing (the list may show it after the task ends). */
export const QUIET_READY_MS = 15_000

const nav = (view: NavTarget['view'], vm: string | null, taskId: string | null = null): NavTarget => ({ view, vm, sessionId: null, taskId })

/** The notice for a task that just ended, or null when its end is not worth interrupting the user for. */
export function noticeForTask(task: Task): Notice | null {
  if (endedAsAsked(task)) return null
  if (task.state === 'failed') {
    const error = task.error ?? { code: 'INTERNAL' as const, message: 'The task failed without saying why.', hint: '' }
    const body = appHintOf(error) ? `${error.message} ${appHintOf(error)}` : error.message
    if (error.code === 'VM_LIMIT_REACHED') {
      return { id: `task:${task.id}`, kind: 'vmLimit', level: 'error', title: 'VM limit reached', body, error, target: nav('workspace', task.vm) }
    }
    return { id: `task:${task.id}`, kind: 'taskFailed', level: 'error', title: `${task.title} failed`, body, error, target: nav('tasks', task.vm, task.id) }
  }
  if (task.state !== 'succeeded') return null
  if (task.kind === 'create' && task.vm) {
    // The longest wait in CAL (an image pull can take most of an hour), which the user spends elsewhere: its end is
    // news. Under "A VM is ready", the setting a user turns off when done-notices are too many.
    return { id: `task:${task.id}`, kind: 'vmReady', level: 'success', title: `${task.vm} is created`, body: 'Start it from CAL or the menu bar to begin working.', error: null, target: nav('workspace', task.vm) }
  }
  if (task.kind === 'snapshot') {
    return { id: `task:${task.id}`, kind: 'snapshotDone', level: 'success', title: 'Snapshot taken', body: task.title, error: null, target: nav('snapshots', task.vm) }
  }
  if (task.kind === 'restore' || task.kind === 'rollback') {
    const title = task.kind === 'rollback' ? 'Rolled back to session start' : 'Snapshot restored'
    return { id: `task:${task.id}`, kind: 'restoreDone', level: 'success', title, body: task.title, error: null, target: nav('snapshots', task.vm) }
  }
  return null
}

/** Notices for what changed between two VM lists: a VM became ready, or went down when CAL did not ask it to. */
export function noticesForVmChange(prev: readonly VmInfo[], next: readonly VmInfo[], expectedStops: ReadonlySet<string>, quietReady: (vm: string) => boolean = () => false): Notice[] {
  const before = new Map(prev.map((v) => [v.name, v]))
  const notices: Notice[] = []
  for (const vm of next) {
    const old = before.get(vm.name)
    const ready = vm.state === 'running' && vm.ip !== null
    const wasReady = old !== undefined && old.state === 'running' && old.ip !== null
    if (ready && !wasReady && !quietReady(vm.name)) {
      notices.push({
        id: `vm:${vm.name}:ready:${vm.startedAt ?? vm.ip}`,
        kind: 'vmReady',
        level: 'success',
        title: `${vm.name} is ready`,
        body: `Running at ${vm.ip}. Open its terminal to start working.`,
        error: null,
        target: nav('terminal', vm.name),
      })
    }
    const down = vm.state === 'stopped' || vm.state === 'error'
    if (old?.state === 'running' && down && !expectedStops.has(vm.name)) {
      const message = vm.error ?? 'The VM stopped without CAL asking it to.'
      const hint = 'Start it again from CAL; what was saved on its disk is still there.'
      notices.push({
        id: vmDownNoticeId(vm.name, old.startedAt ?? null),
        kind: 'vmStoppedUnexpectedly',
        level: 'error',
        title: `${vm.name} stopped unexpectedly`,
        body: `${message} ${hint}`,
        error: { code: 'VM_DIED', message, hint },
        target: nav('workspace', vm.name),
      })
    }
  }
  return notices
}

/** Whether the user wants this kind of notice at all (Settings → Notifications). */
export function isNoticeEnabled(notice: Notice, settings: Pick<Settings, 'notifications'>): boolean {
  return settings.notifications.enabled && settings.notifications.kinds[notice.kind] !== false
}

/** In-app toast while CAL's window has focus (a system banner would be redundant), a native notification otherwise. */
export function deliveryFor(windowFocused: boolean): 'toast' | 'native' {
  return windowFocused ? 'toast' : 'native'
}

/** A bell rings at most once per this long per terminal: a program that beeps on every line is not news. */
export const BELL_QUIET_MS = 30_000

/**
 * Follows the engine's events and says which notices they call for. Pure state, no Electron: the first VM list
 * is a baseline (no "ready" storm at launch), each task is reported once, and stops that CAL drove are not crashes.
 */
export class NoticeTracker {
  private vms: VmInfo[] | null = null
  private readonly reported = new Set<string>()
  private readonly expectedStops = new Set<string>()
  private readonly running = new Map<string, Task>()
  private readonly lastBell = new Map<string, number>()
  /** VM → until when its coming up is a snapshot's or restore's doing (Infinity while the task runs). */
  private readonly quietUntil = new Map<string, number>()

  onVms(next: VmInfo[], now = Date.now()): Notice[] {
    const prev = this.vms
    this.vms = next
    if (prev === null) return []
    const notices = noticesForVmChange(prev, next, this.expectedStops, (vm) => (this.quietUntil.get(vm) ?? 0) > now)
    const before = new Map(prev.map((v) => [v.name, v.state]))
    for (const vm of next) {
      const wasUp = before.get(vm.name) === 'running' || before.get(vm.name) === 'stopping'
      // An expected stop is used up once seen; a VM back up with no stopping task left is on its own again.
      if (wasUp && vm.state !== 'running' && vm.state !== 'stopping') this.expectedStops.delete(vm.name)
      if (vm.state === 'running' && !this.runningFor(vm.name, STOPPING_KINDS)) this.expectedStops.delete(vm.name)
    }
    return notices
  }

  onTask(task: Task, now = Date.now()): Notice | null {
    if (task.state === 'running') {
      this.running.set(task.id, task)
      if (task.vm && STOPPING_KINDS.has(task.kind)) this.expectedStops.add(task.vm)
      if (task.vm && SELF_REPORTING_KINDS.has(task.kind)) this.quietUntil.set(task.vm, Infinity)
      return null
    }
    this.running.delete(task.id)
    if (task.vm && SELF_REPORTING_KINDS.has(task.kind) && !this.runningFor(task.vm, SELF_REPORTING_KINDS)) {
      // A failed one may have left the VM down: its next start is the user's, and worth a "ready".
      if (task.state === 'succeeded') this.quietUntil.set(task.vm, now + QUIET_READY_MS)
      else this.quietUntil.delete(task.vm)
    }
    // A stop that failed or was cancelled did not stop the VM: a later stop is not expected any more.
    if (task.vm && STOPPING_KINDS.has(task.kind) && task.state !== 'succeeded' && !this.runningFor(task.vm, STOPPING_KINDS)) this.expectedStops.delete(task.vm)
    if (this.reported.has(task.id)) return null
    this.reported.add(task.id)
    return noticeForTask(task)
  }

  /** A terminal's bell, heard with CAL in the background: a notice that opens that terminal, at most every BELL_QUIET_MS. */
  onBell(bell: EventPayload<'terminal:bell'>, now = Date.now()): Notice | null {
    const last = this.lastBell.get(bell.id)
    if (last !== undefined && now - last < BELL_QUIET_MS) return null
    this.lastBell.set(bell.id, now)
    return {
      id: `bell:${bell.id}`,
      kind: 'terminalBell',
      level: 'info',
      title: `${bell.title} rang the bell`,
      body: 'Something in the terminal wants your attention, such as an agent waiting for an answer.',
      error: null,
      target: { view: 'terminal', vm: bell.vm, sessionId: bell.id, taskId: null },
    }
  }

  /** Whether a task of one of `kinds` still runs for `vm`. */
  private runningFor(vm: string, kinds: ReadonlySet<TaskKind>): boolean {
    return [...this.running.values()].some((t) => t.vm === vm && kinds.has(t.kind))
  }
}
