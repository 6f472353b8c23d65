import type { Settings } from '../../shared/settings'
import type { VmState } from '../../shared/vm'
import type { RemoteExec } from '../git/remote-exec'
import type { FreeSpace } from '../host/disk'
import type { FactsStore } from '../store/facts'
import type { TartDriver } from '../tart/driver'
import type { KeyedMutex } from './mutex'
import type { WaitForSsh } from './ssh-wait'
import type { RunSupervisor } from './supervisor'

/** Everything the lifecycle and snapshot functions share; built once by createVmService. */
export interface VmContext {
  calHome: string
  tart: TartDriver
  facts: FactsStore
  supervisor: RunSupervisor
  exec: RemoteExec
  settings: () => Settings
  waitForSsh: WaitForSsh
  freeSpace: FreeSpace
  locks: KeyedMutex
  /** States CAL is driving right now ("starting", "stopping"), shown instead of Tart's. */
  transient: Map<string, VmState>
  /** Asks for a fresh VmInfo[] emit (asynchronous, coalesced). */
  changed: () => void
  timing: Timing
}

/** Timeouts, overridable for tests. */
export interface Timing {
  ipWaitSeconds: number
  sshWaitMs: number
  /** How long a graceful stop waits for the guest before `tart stop`. */
  shutdownGraceMs: number
  suspendWaitMs: number
}

export const DEFAULT_TIMING: Timing = { ipWaitSeconds: 180, sshWaitMs: 180_000, shutdownGraceMs: 60_000, suspendWaitMs: 120_000 }

/** How long-running steps report: a task handle, or a quieter stand-in when a step is part of a larger task. */
export interface Reporter {
  step(id: string): void
  skip?(id: string): void
  log(line: string): void
  progress?(percent: number | null): void
  signal?: AbortSignal
}

/** Inner steps become log lines of the outer task. */
export function nested(outer: Reporter, prefix: string): Reporter {
  return {
    step: (id) => outer.log(`${prefix}: ${id}`),
    log: (line) => outer.log(line),
    progress: outer.progress,
    signal: outer.signal,
  }
}
