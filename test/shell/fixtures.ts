import type { Task } from '../../src/shared/task'
import type { VmInfo } from '../../src/shared/vm'

export function vm(name: string, over: Partial<VmInfo> = {}): VmInfo {
  return {
    name,
    state: 'stopped',
    role: 'workspace',
    os: 'darwin',
    cpu: 4,
    memoryMb: 8192,
    diskGb: 80,
    sizeGb: 20,
    display: '1024x768',
    ip: null,
    baseImage: null,
    agent: null,
    createdAt: null,
    startedAt: null,
    lastSessionSnapshotAt: null,
    error: null,
    ...over,
  }
}

export const running = (name: string, ip = '127.0.64.2', over: Partial<VmInfo> = {}): VmInfo =>
  vm(name, { state: 'running', ip, startedAt: '2026-01-01T10:00:00Z', ...over })

export function task(id: string, over: Partial<Task> = {}): Task {
  return {
    id,
    kind: 'start',
    title: `Task ${id}`,
    vm: null,
    state: 'running',
    percent: null,
    bytesDone: null,
    bytesTotal: null,
    etaSeconds: null,
    steps: [],
    log: [],
    cancellable: false,
    error: null,
    startedAt: '2026-01-01T10:00:00Z',
    endedAt: null,
    ...over,
  }
}
