import type { VmTmuxSession } from './terminal'
import type { VmInfo } from './vm'

/** 'snapshot': a snapshot of a running VM that cannot be suspended, which shuts it down and starts it again. */
export type PowerAction = 'stop' | 'restart' | 'snapshot'

/** What the user is asked before stopping or restarting a VM in which programs still run. */
export interface PowerQuestion {
  title: string
  /** One line per session, e.g. "cal-agent (the agent): claude". */
  running: string[]
  consequence: string
  /** The confirming button's label. */
  confirm: string
}

/** Whether a snapshot of `vm` shuts it down and starts it again (ending its programs) instead of suspending it. */
export function snapshotShutsDown(vm: Pick<VmInfo, 'state' | 'suspendable'>): boolean {
  return vm.state === 'running' && !vm.suspendable
}

/** The sessions whose programs stopping or restarting the VM would end: a shell waiting at its prompt loses nothing. */
export function busySessions(sessions: readonly VmTmuxSession[]): VmTmuxSession[] {
  return sessions.filter((s) => s.command !== null)
}

/** The question for `busy` (see busySessions), or null when nothing would be lost and no question is needed. */
export function powerQuestion(vm: string, action: PowerAction, busy: readonly VmTmuxSession[]): PowerQuestion | null {
  if (busy.length === 0) return null
  const verb = { stop: 'Stop', restart: 'Restart', snapshot: 'Snapshot' }[action]
  const one = busy.length === 1
  const ends = `ends ${one ? 'it' : 'them'}, with ${one ? 'its' : 'their'} tmux ${one ? 'session' : 'sessions'} and scrollback. Files on the VM's disk stay as they are.`
  return {
    title: `${verb} ${vm}? ${one ? 'A program is' : `${busy.length} programs are`} still running in it.`,
    running: busy.map((s) => `${s.name}${s.kind === 'agent' ? ' (the agent)' : ''}: ${s.command}`),
    consequence:
      action === 'snapshot'
        ? `${vm} cannot be suspended (CAL suspends only a macOS VM it started itself, on a Mac with macOS 14 or newer), so the snapshot shuts it down cleanly and starts it again. That ${ends}`
        : `${action === 'stop' ? 'Stopping' : 'Restarting'} the VM ${ends}`,
    confirm: action === 'snapshot' ? 'Shut down and snapshot' : verb,
  }
}

/**
 * The busy sessions `list` finds within `withinMs`; none when it fails or is late (SSH down, a hung guest). Stop
 * is then done without asking: that is when a user most needs it, and nothing is known to warn about.
 */
export async function busyWithin(list: () => Promise<readonly VmTmuxSession[]>, withinMs: number): Promise<VmTmuxSession[]> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<readonly VmTmuxSession[]>((resolve) => (timer = setTimeout(() => resolve([]), withinMs)))
  try {
    return busySessions(await Promise.race([Promise.resolve().then(list).catch(() => []), late]))
  } finally {
    clearTimeout(timer)
  }
}

/** How long Stop and Restart wait to learn what runs in the VM before going ahead without asking. */
export const ASK_WITHIN_MS = 2000
