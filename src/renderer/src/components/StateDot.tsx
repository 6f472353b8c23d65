import type { VmState } from '../../../shared/vm'
import { useTasks } from '../store/tasks'

export const STATE_LABEL: Record<VmState, string> = {
  running: 'Running',
  starting: 'Starting',
  stopping: 'Stopping',
  stopped: 'Stopped',
  suspended: 'Suspended',
  error: 'Error',
}

/**
 * The state as said to people. A suspend shows the VM as stopping (the engine's state while it winds down) and said
 * "Stopping" in the sidebar and the banner: while a suspend of the VM runs, it is "Suspending".
 */
export function stateLabel(state: VmState, suspending = false): string {
  return state === 'stopping' && suspending ? 'Suspending' : STATE_LABEL[state]
}

/** Whether a suspend of `vm` is under way (see stateLabel). */
export function useSuspending(vm: string): boolean {
  return useTasks((s) => Object.values(s.byId).some((t) => t.vm === vm && t.kind === 'suspend' && t.state === 'running'))
}

/**
 * The colour carries the state; the label is there for screen readers and for colour-blind users' tooltips.
 * `decorative`: the state is written out beside the dot (a sidebar row's "Stopped · clean"), so screen readers skip
 * the dot rather than read the state twice; the tooltip stays.
 */
export function StateDot({ state, decorative = false, label = STATE_LABEL[state] }: { state: VmState; decorative?: boolean; label?: string }) {
  if (decorative) return <span className={`state-dot state-${state}`} aria-hidden="true" title={label} />
  return <span className={`state-dot state-${state}`} role="img" aria-label={label} title={label} />
}
