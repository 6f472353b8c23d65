import { describe, expect, it } from 'vitest'
import { CalError } from '../../src/shared/errors'
import type { Task } from '../../src/shared/task'
import { TaskManager } from '../../src/core/tasks/tasks'
import { snapshotsToPrune } from '../../src/core/snapshots/retention'
import { autoSnapshotName, isInternalName, snapshotTartName } from '../../src/core/vms/naming'
import { KeyedMutex } from '../../src/core/vms/mutex'
import type { Snapshot } from '../../src/shared/snapshot'

const spec = { kind: 'snapshot' as const, title: 'Snap', vm: 'dev', steps: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }], cancellable: true }

describe('TaskManager', () => {
  it('reports steps, progress and log lines, then success', async () => {
    const events: Task[] = []
    const tm = new TaskManager((t) => events.push(t))
    const { taskId, done } = tm.start(spec, async (t) => {
      t.step('a')
      t.progress(50)
      t.log('half way')
      t.step('b')
      return 7
    })
    expect(await done).toBe(7)
    const last = events.at(-1)!
    expect(last.id).toBe(taskId)
    expect(last.state).toBe('succeeded')
    expect(last.steps.map((s) => s.state)).toEqual(['done', 'done'])
    expect(last.log).toEqual(['half way'])
    expect(events.some((e) => e.percent === 50)).toBe(true)
  })

  it('marks the steps a successful task did not need skipped, not pending (a guest that shut down by itself)', async () => {
    const tm = new TaskManager(() => {})
    const { taskId, done } = tm.start(spec, async (t) => void t.step('a'))
    await done
    expect(tm.get(taskId)!.steps.map((s) => s.state)).toEqual(['done', 'skipped'])
    // A failed one leaves them pending: they were needed, and never ran.
    const failed = tm.start(spec, async (t) => {
      t.step('a')
      throw new Error('no')
    })
    await failed.done.catch(() => {})
    expect(tm.get(failed.taskId)!.steps.map((s) => s.state)).toEqual(['failed', 'pending'])
  })

  it('carries the CalError data of a failed task', async () => {
    const tm = new TaskManager(() => {})
    const { taskId, done } = tm.start(spec, async (t) => {
      t.step('a')
      throw new CalError('DISK_FULL', 'full', 'free space')
    })
    await expect(done).rejects.toMatchObject({ code: 'DISK_FULL' })
    const t = tm.get(taskId)!
    expect(t.state).toBe('failed')
    expect(t.error).toMatchObject({ code: 'DISK_FULL', message: 'full', hint: 'free space' })
    expect(t.steps[0]?.state).toBe('failed')
  })

  it('cancels through the signal', async () => {
    const tm = new TaskManager(() => {})
    const { taskId, done } = tm.start(spec, (t) => new Promise((_, reject) => t.signal.addEventListener('abort', () => reject(new Error('aborted')))))
    tm.cancel(taskId)
    await expect(done).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(tm.get(taskId)?.state).toBe('cancelled')
  })

  it('refuses to cancel a non-cancellable task and unknown ids', () => {
    const tm = new TaskManager(() => {})
    const { taskId } = tm.start({ ...spec, cancellable: false }, () => new Promise(() => {}))
    expect(() => tm.cancel(taskId)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
    expect(() => tm.cancel('nope')).toThrow(expect.objectContaining({ code: 'TASK_NOT_FOUND' }))
  })

  it('keeps only the last 50 finished tasks', async () => {
    const tm = new TaskManager(() => {})
    for (let i = 0; i < 60; i++) await tm.start(spec, async () => i).done
    expect(tm.list()).toHaveLength(50)
  })
})

describe('retention', () => {
  const now = Date.parse('2026-01-20T00:00:00Z')
  const snap = (name: string, kind: Snapshot['kind'], daysAgo: number): Snapshot => ({ name, vm: 'dev', tartName: `dev.snap.${name}`, kind, createdAt: new Date(now - daysAgo * 86_400_000).toISOString(), sizeGb: 1 })

  it('keeps the last N session snapshots and drops those older than D days; never touches manual ones', () => {
    const all = [snap('s1', 'session', 0), snap('s2', 'session', 1), snap('s3', 'session', 2), snap('s4', 'session', 3), snap('old', 'session', 9), snap('m', 'manual', 30)]
    expect(snapshotsToPrune(all, { keep: 3, maxAgeDays: 7 }, now).map((s) => s.name).sort()).toEqual(['old', 's4'])
    expect(snapshotsToPrune(all, { keep: 0, maxAgeDays: 7 }, now).map((s) => s.name)).toEqual(['old'])
    expect(snapshotsToPrune(all, { keep: 10, maxAgeDays: 0 }, now)).toEqual([])
  })
})

describe('naming', () => {
  it('names snapshot clones and recognises internal VMs', () => {
    expect(snapshotTartName('dev', 'before')).toBe('dev.snap.before')
    expect(isInternalName('dev.snap.before')).toBe(true)
    expect(isInternalName('dev.restore-tmp')).toBe(true)
    expect(isInternalName('dev')).toBe(false)
    expect(autoSnapshotName('session', new Date('2026-01-17T14:30:05Z'))).toBe('session-2026-01-17-143005')
  })
})

describe('KeyedMutex', () => {
  it('serialises work per key', async () => {
    const m = new KeyedMutex()
    const order: string[] = []
    const a = m.run('x', async () => {
      order.push('a1')
      await new Promise((r) => setTimeout(r, 20))
      order.push('a2')
    })
    const b = m.run('x', async () => {
      order.push('b')
    })
    await Promise.all([a, b])
    expect(order).toEqual(['a1', 'a2', 'b'])
  })
})
