import { z } from 'zod'
import { CalErrorData } from './errors'
import { boundedString, LIMITS } from './limits'

export const TaskState = z.enum(['running', 'succeeded', 'failed', 'cancelled'])
export type TaskState = z.infer<typeof TaskState>

export const TaskStep = z.object({
  id: z.string(),
  label: z.string(),
  state: z.enum(['pending', 'running', 'done', 'failed', 'skipped']),
})
export type TaskStep = z.infer<typeof TaskStep>

export const TaskKind = z.enum(['create', 'start', 'stop', 'restart', 'suspend', 'delete', 'snapshot', 'restore', 'rollback', 'snapshot-delete', 'pull', 'launch'])
export type TaskKind = z.infer<typeof TaskKind>

/** Long work (pull, init, restore…): id, steps, percent, log lines, cancel. */
export const Task = z.object({
  id: z.string(),
  kind: TaskKind,
  title: z.string(),
  vm: z.string().nullable(),
  state: TaskState,
  /** 0–100 for the current step when known, else null. */
  percent: z.number().nullable(),
  /** Bytes done / total when known (image pulls). */
  bytesDone: z.number().nullable(),
  bytesTotal: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  steps: z.array(TaskStep),
  log: z.array(z.string()),
  cancellable: z.boolean(),
  error: CalErrorData.nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
})
export type Task = z.infer<typeof Task>

export const TaskRef = z.object({ id: boundedString(LIMITS.id) })
export const TaskStarted = z.object({ taskId: z.string() })

/** The state each power task leaves its VM in, when it was there already (see endedAsAsked). */
const ASKED_STATE: Partial<Record<TaskKind, string>> = { start: 'running', stop: 'stopped', suspend: 'suspended' }

/**
 * A start, stop or suspend that failed only because its VM was in that state already: a second click on Start before
 * the first one's task showed, queued behind it. Nothing went wrong and nothing is left to do, so the app and its
 * notifications say nothing of it (the CLI says it and exits 0, see alreadyIn).
 */
export function endedAsAsked(task: Pick<Task, 'kind' | 'state' | 'error'>): boolean {
  const state = ASKED_STATE[task.kind]
  const code = task.error?.code
  return task.state === 'failed' && state !== undefined && (code === 'VM_NOT_RUNNING' || code === 'VM_ALREADY_RUNNING') && task.error?.details?.state === state
}
