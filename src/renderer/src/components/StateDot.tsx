import type { VmState } from '../../../shared/vm'

export const STATE_LABEL: Record<VmState, string> = {
  running: 'Running',
  starting: 'Starting',
  stopping: 'Stopping',
  stopped: 'Stopped',
  suspended: 'Suspended',
  error: 'Error',
}

/** The colour carries the state; the label is there for screen readers and for colour-blind users' tooltips. */
export function StateDot({ state }: { state: VmState }) {
  return <span className={`state-dot state-${state}`} role="img" aria-label={STATE_LABEL[state]} title={STATE_LABEL[state]} />
}
