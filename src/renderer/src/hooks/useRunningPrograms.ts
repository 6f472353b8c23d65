import { busySessions, powerQuestion } from '../../../shared/power-question'
import { cal, unwrap } from '../api'
import { withTabLabels } from '../store/sessions'
import { useLoad } from './useLoad'

/**
 * The programs still working in a running VM's tmux sessions, one line each, worded as the Stop sheet words them
 * ("cal-agent (the agent): claude"): for the other sheets whose action ends them (restore, roll back, delete).
 * None while the VM is not running, while they are being asked for, or when the VM cannot say.
 */
export function useRunningPrograms(vm: string, running: boolean): string[] {
  const { value } = useLoad(running ? vm : null, async () => {
    const busy = busySessions(await unwrap(cal().terminal.sessions({ name: vm })))
    // The Stop sheet's own lines (shared/power-question.ts), so both sheets name a program the same way.
    return powerQuestion(vm, 'stop', withTabLabels(vm, busy))?.running ?? []
  })
  return value ?? []
}
