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
  /** Emits the last list at once with `transient` laid over it (a state an operation set part-way through). */
  transientChanged: () => void
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

/** Each task kind's steps: id and the label the app and cal show. */
export const STEPS = {
  create: [['pull', 'Get the image'], ['clone', 'Clone the image'], ['configure', 'Set CPU, memory, disk, MAC and serial']],
  start: [['check', 'Check the VM and the 2-VM limit'], ['boot', 'Start the VM headless'], ['ip', 'Wait for an IP address'], ['ssh', 'Wait for SSH']],
  stop: [['check', 'Check the VM'], ['shutdown', 'Ask the guest to shut down'], ['poweroff', 'Power off']],
  restart: [['stop', 'Stop'], ['start', 'Start and wait for SSH']],
  suspend: [['check', 'Check the VM'], ['suspend', 'Save memory and suspend']],
  delete: [['check', 'Check the VM'], ['poweroff', 'Power off'], ['delete', 'Delete the VM and its snapshots']],
  snapshot: [['check', 'Check the VM'], ['pause', 'Suspend or shut down the VM for a consistent disk'], ['clone', 'Clone the disk'], ['resume', 'Bring the VM back']],
  restore: [['prepare', 'Check the snapshot'], ['clone', 'Clone the snapshot to a temporary VM'], ['swap', 'Replace the working VM'], ['cleanup', 'Delete the old VM'], ['start', 'Start it again']],
  // A rollback is a restore of the latest session-start snapshot: the same steps (without them it showed their ids).
  rollback: [['prepare', 'Check the session-start snapshot'], ['clone', 'Clone the snapshot to a temporary VM'], ['swap', 'Replace the working VM'], ['cleanup', 'Delete the old VM'], ['start', 'Start it again']],
  'snapshot-delete': [['delete', 'Delete the snapshot']],
} as const

/**
 * Inner steps become log lines of the outer task: a snapshot's "Bring the VM back" logs "wait for an IP address",
 * the inner verb's step label, not its id ("resume: ip").
 */
export function nested(outer: Reporter, verb: 'start' | 'stop' | 'suspend'): Reporter {
  const labels = new Map<string, string>(STEPS[verb])
  return {
    step: (id) => {
      const label = labels.get(id) ?? id
      outer.log(label.charAt(0).toLowerCase() + label.slice(1))
    },
    log: (line) => outer.log(line),
    progress: outer.progress,
    signal: outer.signal,
  }
}
