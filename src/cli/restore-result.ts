import type { RestoreStarted } from '../shared/snapshot'
import type { Task } from '../shared/task'
import type { CliContext } from './context'
import { printJson } from './output'
import { followTask } from './task-runner'

/**
 * followTask for restore and rollback, then the closing line: what the engine says it restored (a rollback's
 * snapshot is the engine's choice), never read back out of the task's title.
 */
export async function followRestore(ctx: CliContext, start: () => Promise<RestoreStarted>, done: (snapshot: string) => string): Promise<number> {
  const started: { snapshot?: string } = {}
  const task: Task = await followTask(ctx, async () => {
    const r = await start()
    started.snapshot = r.snapshot
    return r
  })
  const snapshot = started.snapshot ?? ''
  if (ctx.json) printJson(ctx, { ok: true, task, restoredSnapshot: snapshot })
  else ctx.stdout(`${done(snapshot)}\n`)
  return 0
}
