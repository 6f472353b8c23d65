import { EXIT } from './exit-codes'

/** Channels that only read: a Ctrl+C while one runs can still truly say that nothing was changed. */
const READS: ReadonlySet<string> = new Set([
  'app:status', 'vms:list', 'vms:get', 'vms:sshCommand', 'snapshots:list', 'snapshots:diskUsage', 'git:check',
  'agent:launchInfo', 'terminal:sessions', 'terminal:list', 'tasks:list', 'settings:get',
])

let owners = 0

/**
 * Called by a command that handles Ctrl+C itself (a followed task, cal ssh's remote command) for as long as it does;
 * returns the release. Counted here rather than read off process.listenerCount('SIGINT'): execa's exit hook listens too.
 */
export function handlingCtrlC(): () => void {
  owners++
  let released = false
  return () => {
    if (!released) owners--
    released = true
  }
}

let windingDown = false

/**
 * Once Ctrl+C has cancelled the work, cal is on its way out: it still reads how the work left things (the VM's state)
 * and says so. Further presses are held from then on, for as long as cal runs. Without this, one that came after the
 * task's own handler went met only execa's exit hook, which ended cal at once, with nothing said after "cancelling…".
 */
export function holdCtrlCUntilExit(): void {
  if (windingDown) return
  windingDown = true
  // Only Ctrl+C, pressed again by an impatient hand: a SIGTERM or SIGHUP after the task ended ends cal as it would
  // (a cancel that hangs must not make cal deaf to everything but SIGKILL).
  process.on('SIGINT', () => {})
  handlingCtrlC()
}

/** The signals that cancel a followed task: Ctrl+C, a kill (SIGTERM) and a closed terminal (SIGHUP). */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

/**
 * Ctrl+C before a command has asked the engine to change anything (while cal loads, the engine starts, the VM is
 * read: the first fraction of a second) ends cal with 130, as Node's default does, but says so, rather than nothing.
 * While a command handles Ctrl+C itself (a followed task, cal ssh's remote command), it speaks instead. From the first
 * call that changes something this steps aside: what was begun is that command's to report.
 */
export function sayCancelledBeforeWork(write: (text: string) => void, exit: (code: number) => void = (code) => process.exit(code)) {
  const onSigint = () => {
    if (owners > 0) return
    write('\ncancelled; nothing was changed.\n')
    exit(EXIT.cancelled)
  }
  process.on('SIGINT', onSigint)
  const stepAside = () => process.off('SIGINT', onSigint)
  return {
    stepAside,
    /** The engine's handlers, each that changes something stepping this aside first. */
    watch<T extends object>(handlers: T): T {
      return new Proxy(handlers, {
        get(target, key, receiver) {
          const value: unknown = Reflect.get(target, key, receiver)
          if (typeof key !== 'string' || typeof value !== 'function' || READS.has(key)) return value
          return (...args: unknown[]) => {
            stepAside()
            return (value as (...a: unknown[]) => unknown).apply(target, args)
          }
        },
      })
    },
  }
}
