import { sayCancelledBeforeWork } from './interrupt'

// The `cal` entry point: the same engine the app uses, with Tart from --tart / CAL_TART / PATH and data in CAL_HOME.
// Progress goes to stderr; a stderr nobody reads any more (a closed pipe: EPIPE, a closed descriptor: EBADF) must not
// abort the operation half-way, so its write errors are dropped and the exit code still says how the operation went.
// The same for stdout: a `cal stop dev | true` whose reader is gone has still stopped the VM, and says so by its code.
process.stderr.on('error', () => {})
process.stdout.on('error', () => {})
const writeStderr = (t: string) => void (process.stderr.destroyed || process.stderr.write(t))
const writeStdout = (t: string) => void (process.stdout.destroyed || process.stdout.write(t))

// Listening for Ctrl+C comes first, before the engine is loaded: the rest is imported after it.
const early = sayCancelledBeforeWork(writeStderr)
const { CAL_VERSION, runCli } = await import('./main')
const { createEngine, resolveCalHome } = await import('../core/engine')
const { assertCalHomeIsFolder } = await import('./cal-home')

const code = await runCli(
  process.argv.slice(2),
  {
    stdout: writeStdout,
    stderr: writeStderr,
    isTTY: !!process.stdin.isTTY && !!process.stderr.isTTY,
    // Someone typing at a terminal can be asked even with stderr redirected: the question goes to /dev/tty.
    canAsk: !!process.stdin.isTTY,
  },
  async (g) => {
    const calHome = resolveCalHome()
    // The doctor reports a CAL_HOME that is a file among its other checks, with the fix.
    if (g.rest[0] !== 'doctor') assertCalHomeIsFolder(calHome)
    const engine = createEngine({ calHome, tartPath: g.tartPath ?? process.env.CAL_TART, appVersion: CAL_VERSION })
    return { handlers: early.watch(engine.handlers), events: engine.events, calHome, dispose: () => engine.dispose() }
  },
)
early.stepAside()
// VMs run detached, so nothing of ours needs the event loop any more; don't wait on stray timers.
if (process.stdout.destroyed) process.exit(code)
process.stdout.write('', () => process.exit(code))
