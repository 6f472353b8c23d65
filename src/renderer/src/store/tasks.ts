import { create } from 'zustand'
import type { Task } from '../../../shared/task'

type TaskStore = {
  byId: Record<string, Task>
  upsert: (task: Task) => void
  setAll: (tasks: Task[]) => void
}

export const useTasks = create<TaskStore>((set) => ({
  byId: {},
  upsert: (task) => set((s) => ({ byId: { ...s.byId, [task.id]: task } })),
  setAll: (tasks) => set({ byId: Object.fromEntries(tasks.map((t) => [t.id, t])) }),
}))

/** Running first, then newest first. */
export function orderTasks(tasks: Task[]): Task[] {
  return [...tasks].sort((a, b) => {
    const ra = a.state === 'running' ? 0 : 1
    const rb = b.state === 'running' ? 0 : 1
    return ra - rb || Date.parse(b.startedAt) - Date.parse(a.startedAt)
  })
}
