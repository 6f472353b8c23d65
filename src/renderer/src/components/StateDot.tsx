import type { VmState } from '../../../shared/vm'

export const STATE_LABEL: Record<VmState, string> = {
  running: 'Running',
  starting: 'Starting',
  stopping: 'Stopping',
  stopped: 'Stopped',
  suspended: 'Suspended',
  error: 'Error',
}

/**
 * The colour carries the state; the label is there for screen readers and for colour-blind users' tooltips.
 * `decorative`: the state is written out beside the dot (a sidebar row's "Stopped · clean"), so screen readers skip
 * the dot rather than read the state twice; the tooltip stays.
 */
export function StateDot({ state, decorative = false }: { state: VmState; decorative?: boolean }) {
  if (decorative) return <span className={`state-dot state-${state}`} aria-hidden="true" title={STATE_LABEL[state]} />
  return <span className={`state-dot state-${state}`} role="img" aria-label={STATE_LABEL[state]} title={STATE_LABEL[state]} />
}
