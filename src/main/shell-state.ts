import type { Task } from '../shared/task'
import type { VmInfo } from '../shared/vm'

/** Kept finished tasks: enough for the tray and the quit prompt, bounded so a long session does not grow. */
const MAX_FINISHED_TASKS = 50

/**
 * What the desktop shell knows of the engine's state, fed by its events: the VMs, the tasks, and whether an
 * error is waiting to be seen. The tray and the quit prompt read it; nothing here is authoritative.
 */
export class ShellState {
  vms: VmInfo[] = []
  /** See TrayState.unlisted. */
  unlisted: string[] = []
  macVmLimit = 2
  /** Tart could not be found or run when last asked (a VM list from it clears this). */
  tartMissing = false
  private readonly tasks = new Map<string, Task>()
  private unseenError = false

  setVms(vms: VmInfo[]): void {
    this.vms = vms
  }

  updateTask(task: Task): void {
    this.tasks.delete(task.id)
    this.tasks.set(task.id, task)
    if (task.state === 'failed') this.unseenError = true
    const finished = [...this.tasks.values()].filter((t) => t.state !== 'running')
    for (const t of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_TASKS))) this.tasks.delete(t.id)
  }

  runningTasks(): Task[] {
    return [...this.tasks.values()].filter((t) => t.state === 'running')
  }

  /** The user opened CAL: a failed task has been seen (VMs in state "error" still count). */
  acknowledgeErrors(): void {
    this.unseenError = false
  }

  hasError(): boolean {
    return this.unseenError || this.vms.some((v) => v.state === 'error')
  }
}
