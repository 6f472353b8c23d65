import type { Task } from '../../../shared/task'
import type { VmInfo } from '../../../shared/vm'
import type { TerminalSession } from '../../../shared/terminal'

/** Plain contract-shaped values for component and store tests (data, not a fake window.cal). */
export function vmInfo(name: string, patch: Partial<VmInfo> = {}): VmInfo {
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
    baseImage: 'ghcr.io/cirruslabs/macos-sequoia-base:latest',
    agent: null,
    createdAt: null,
    startedAt: null,
    suspendable: false,
    lastSessionSnapshotAt: null,
    error: null,
    ...patch,
  }
}

export function task(id: string, patch: Partial<Task> = {}): Task {
  return {
    id,
    kind: 'create',
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
    startedAt: '2025-01-10T12:00:00Z',
    endedAt: null,
    ...patch,
  }
}

export function session(id: string, vm: string | null, patch: Partial<TerminalSession> = {}): TerminalSession {
  return { id, vm, kind: vm ? 'shell' : 'host', tmuxSession: null, title: id, state: 'connected', cols: 80, rows: 24, notice: null, ...patch }
}
