import type { Task } from '../../src/shared/task'
import type { VmInfo } from '../../src/shared/vm'
import { task as anyTask, vmInfo } from '../../src/renderer/src/test/fixtures'

// Contract-shaped values shared with the renderer's tests; the shell's tests default to a start task.
export const vm = vmInfo

export const running = (name: string, ip = '127.0.64.2', over: Partial<VmInfo> = {}): VmInfo =>
  vm(name, { state: 'running', ip, startedAt: '2026-01-01T10:00:00Z', suspendable: true, ...over })

export const task = (id: string, over: Partial<Task> = {}): Task => anyTask(id, { kind: 'start', startedAt: '2026-01-01T10:00:00Z', ...over })
