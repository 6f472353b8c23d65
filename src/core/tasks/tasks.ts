import { randomUUID } from 'node:crypto'
import { CalError } from '../../shared/errors'
import type { Task, TaskKind } from '../../shared/task'

export interface TaskSpec {
  kind: TaskKind
  title: string
  vm: string | null
  steps: { id: string; label: string }[]
  cancellable: boolean
}

/** What a running task's body uses to report: the current step, percent, log lines; and its cancel signal. */
export interface TaskHandle {
  readonly id: string
  readonly signal: AbortSignal
  /** Marks `id` running and every earlier running step done. */
  step(id: string): void
  /** Marks a step skipped (e.g. "resume" when the VM was stopped). */
  skip(id: string): void
  progress(percent: number | null, bytes?: { done: number; total: number }): void
  log(line: string): void
}

const KEEP_FINISHED = 50
const MAX_LOG_LINES = 500

/** Long work (create, start, snapshot, restore…) with steps, percent, log lines and cancel; emits every change. */
export class TaskManager {
  private readonly tasks = new Map<string, { task: Task; abort: AbortController }>()

  constructor(private readonly emit: (task: Task) => void) {}

  start<T>(spec: TaskSpec, run: (t: TaskHandle) => Promise<T>): { taskId: string; done: Promise<T> } {
    const id = randomUUID()
    const abort = new AbortController()
    const task: Task = {
      id,
      kind: spec.kind,
      title: spec.title,
      vm: spec.vm,
      state: 'running',
      percent: null,
      bytesDone: null,
      bytesTotal: null,
      etaSeconds: null,
      steps: spec.steps.map((s) => ({ ...s, state: 'pending' })),
      log: [],
      cancellable: spec.cancellable,
      error: null,
      startedAt: new Date().toISOString(),
      endedAt: null,
    }
    this.tasks.set(id, { task, abort })
    const startedMs = Date.now()
    const publish = () => this.emit(structuredClone(task))

    const handle: TaskHandle = {
      id,
      signal: abort.signal,
      step: (stepId) => {
        for (const s of task.steps) {
          if (s.id === stepId) s.state = 'running'
          else if (s.state === 'running') s.state = 'done'
        }
        if (!task.steps.some((s) => s.id === stepId)) task.steps.push({ id: stepId, label: stepId, state: 'running' })
        task.percent = null
        task.etaSeconds = null
        publish()
      },
      skip: (stepId) => {
        const s = task.steps.find((x) => x.id === stepId)
        if (s && s.state === 'pending') s.state = 'skipped'
        publish()
      },
      progress: (percent, bytes) => {
        task.percent = percent
        if (bytes) {
          task.bytesDone = bytes.done
          task.bytesTotal = bytes.total
        }
        if (percent && percent > 0 && percent < 100) {
          const elapsed = (Date.now() - startedMs) / 1000
          task.etaSeconds = Math.round((elapsed * (100 - percent)) / percent)
        }
        publish()
      },
      log: (line) => {
        task.log.push(line)
        if (task.log.length > MAX_LOG_LINES) task.log.splice(0, task.log.length - MAX_LOG_LINES)
        publish()
      },
    }

    publish()
    const done = (async () => {
      try {
        const value = await run(handle)
        // A step still pending was not needed (a guest that shut down by itself needs no power-off).
        for (const s of task.steps) {
          if (s.state === 'running') s.state = 'done'
          else if (s.state === 'pending') s.state = 'skipped'
        }
        task.state = 'succeeded'
        task.percent = 100
        return value
      } catch (err) {
        // Cancelled when asked for, whatever the work then threw (a tool the same signal ended may fail otherwise).
        // Only then: a task that cannot be cancelled is never asked, and its error says what became of its VM (a
        // terminal's Ctrl+C reaches cal alone: Tart runs in a process group of its own).
        const e = abort.signal.aborted ? new CalError('CANCELLED', `${spec.title} was cancelled.`) : CalError.from(err)
        for (const s of task.steps) if (s.state === 'running') s.state = 'failed'
        task.state = e.code === 'CANCELLED' ? 'cancelled' : 'failed'
        task.error = e.toData()
        throw e
      } finally {
        task.endedAt = new Date().toISOString()
        task.etaSeconds = null
        publish()
        this.prune()
      }
    })()
    // The caller may not await `done` (UI commands return the task id at once); avoid unhandled rejections.
    done.catch(() => {})
    return { taskId: id, done }
  }

  list(): Task[] {
    return [...this.tasks.values()].map((t) => structuredClone(t.task))
  }

  get(id: string): Task | null {
    const t = this.tasks.get(id)
    return t ? structuredClone(t.task) : null
  }

  cancel(id: string): void {
    const t = this.tasks.get(id)
    if (!t) throw new CalError('TASK_NOT_FOUND', `No task with id ${id}.`, 'It may have finished long ago; see the task list.')
    if (t.task.state !== 'running') return
    if (!t.task.cancellable) {
      throw new CalError('INVALID_INPUT', `"${t.task.title}" cannot be cancelled safely once started.`, 'Wait for it to finish.')
    }
    t.abort.abort()
  }

  /** Keeps every running task and the last ~50 finished ones. */
  private prune(): void {
    const finished = [...this.tasks.values()].filter((t) => t.task.state !== 'running')
    for (const t of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.tasks.delete(t.task.id)
  }
}
