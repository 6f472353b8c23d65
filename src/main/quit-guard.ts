import type { Task } from '../shared/task'

/** The question shown when quitting while tasks run (Electron's MessageBoxSyncOptions shape). */
export interface QuitQuestion {
  type: 'warning'
  buttons: string[]
  defaultId: number
  cancelId: number
  message: string
  detail: string
}

/** The buttons, in Electron's order (on macOS the first is the rightmost, the default: the safe way to quit). */
const QUIT_WHEN_DONE = 0
const CANCEL = 1
const QUIT_NOW = 2

/**
 * Whether quitting now cuts `task` off. A start whose VM is already booting is not: `tart run` is detached, so the VM
 * comes up anyway and CAL only stops waiting for its IP and SSH. Everything else stops part-way (a snapshot leaves its
 * VM suspended without a snapshot, a create leaves no VM, a restore is finished only when CAL next starts).
 */
export function cutOffByQuit(task: Task): boolean {
  if (task.kind === 'start') return !task.steps.some((s) => (s.id === 'ip' || s.id === 'ssh') && s.state !== 'pending')
  return true
}

/**
 * Quitting while tasks run: asks whether to quit once they are done (the default), not at all, or now. "When done"
 * keeps CAL running, in the menu bar, until no task that a quit would cut off is left, then quits.
 */
export class QuitGuard {
  private waiting = false

  constructor(private readonly ask: (question: QuitQuestion) => number) {}

  /** From before-quit: true to let the quit go on now. */
  allowQuit(running: readonly Task[]): boolean {
    const atRisk = running.filter(cutOffByQuit)
    if (atRisk.length === 0) return true
    const one = atRisk.length === 1
    const answer = this.ask({
      type: 'warning',
      buttons: ['Quit When Done', 'Cancel', 'Quit Now'],
      defaultId: QUIT_WHEN_DONE,
      cancelId: CANCEL,
      message: one ? 'A task is still running.' : `${atRisk.length} tasks are still running.`,
      detail:
        `${atRisk.map((t) => t.title).join('\n')}\n\n` +
        `Quit When Done keeps CAL in the menu bar until ${one ? 'it ends' : 'they end'}, then quits. ` +
        `Quitting now stops ${one ? 'it' : 'them'} part-way.`,
    })
    this.waiting = answer === QUIT_WHEN_DONE
    return answer === QUIT_NOW
  }

  /** After a task changed: true once a quit is waiting and nothing it would cut off runs any more. */
  readyToQuit(running: readonly Task[]): boolean {
    if (!this.waiting || running.some(cutOffByQuit)) return false
    this.waiting = false
    return true
  }

  /** A quit waits for tasks to end (the tray says so). */
  get waitingForTasks(): boolean {
    return this.waiting
  }
}
