import { createWriteStream, existsSync, mkdtempSync } from 'node:fs'
import { once } from 'node:events'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { shellQuote } from '../core/ssh/quote'

/** The simulated Tart host's executables, relative to the repository (the demo runs from a checkout). */
export function simPaths(repoRoot: string): { tart: string; tartSim: string } {
  return { tart: join(repoRoot, 'test/sim/bin/tart'), tartSim: join(repoRoot, 'test/sim/bin/tart-sim') }
}

const IMAGE = 'ghcr.io/cirruslabs/macos-sequoia-base:latest'
export const DEMO_VMS = { running: 'cal-dev', stopped: 'cal-clean' } as const

export interface Demo {
  tartPath: string
  tartHome: string
  calHome: string
  /** Clone the two VMs and boot cal-dev; resolves once it has an IP. */
  start(): Promise<void>
  /** Stop every simulated VM (no stray sshd), then delete the temporary folders. Idempotent; safe mid-start. */
  stop(): Promise<void>
}

/** How to run the `cal` CLI against the demo's simulated host, from the repository (it keeps its folders to itself). */
export function demoCliHint(d: Pick<Demo, 'tartPath' | 'tartHome' | 'calHome'>): string {
  const env = `TART_HOME=${shellQuote(d.tartHome)} CAL_HOME=${shellQuote(d.calHome)} CAL_TART=${shellQuote(d.tartPath)}`
  return `demo: the cal CLI on the same VMs: ${env} node out/cli/cal.js ssh ${DEMO_VMS.running}`
}

/**
 * `npm run demo`: a temporary TART_HOME with two simulated VMs, cal-dev running and cal-clean stopped, and a
 * temporary CAL_HOME. The sim's guests are real sshd processes, so they need root on Linux.
 */
export function createDemo(repoRoot: string, log: (msg: string) => void): Demo {
  const { tart, tartSim } = simPaths(repoRoot)
  if (!existsSync(tart)) throw new Error(`the simulated Tart host is missing (${tart}); run the demo from a CAL checkout`)
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new Error('the demo boots simulated VMs (real sshd servers on 127.0.64.N:22 in mount namespaces): run it as root on Linux')
  }
  const tartHome = mkdtempSync(join(tmpdir(), 'cal-demo-tart-'))
  const calHome = mkdtempSync(join(tmpdir(), 'cal-demo-home-'))
  const env = { ...process.env, TART_HOME: tartHome, CI: '1', TART_SIM_FAST_PROGRESS: '1', TART_SIM_BOOT_SECONDS: '1' }
  // The engine runs tart itself: point it (and anything it spawns) at the demo's TART_HOME.
  process.env.TART_HOME = tartHome
  let runner: Promise<unknown> | null = null
  let stopped: Promise<void> | null = null
  const stopping = () => stopped !== null

  const stop = () =>
    (stopped ??= (async () => {
      await execa(tart, ['stop', '--timeout', '5', DEMO_VMS.running], { env, reject: false, timeout: 15_000 })
      // Whatever else was started from the UI: the sim stops every VM under this TART_HOME and kills leftovers.
      await execa(tartSim, ['cleanup', tartHome], { env, reject: false, timeout: 30_000 })
      if (runner) await runner.catch(() => {})
      await rm(tartHome, { recursive: true, force: true })
      await rm(calHome, { recursive: true, force: true })
    })())

  const start = async () => {
    for (const name of [DEMO_VMS.running, DEMO_VMS.stopped]) {
      if (stopping()) return
      log(`demo: cloning ${IMAGE} into ${name}`)
      await execa(tart, ['clone', IMAGE, name], { env, timeout: 120_000 })
    }
    if (stopping()) return
    // A file the child writes to directly (a pipe through this process would break if the host died first).
    const runLog = createWriteStream(join(tartHome, `${DEMO_VMS.running}.run.log`), { flags: 'a' })
    await once(runLog, 'open')
    // Its own process group: Ctrl+C reaches the host, which then stops the VM in order.
    runner = execa(tart, ['run', '--no-graphics', DEMO_VMS.running], { env, detached: true, stdin: 'ignore', stdout: runLog, stderr: runLog, reject: false })
    runLog.close()
    const ip = await execa(tart, ['ip', '--wait', '60', DEMO_VMS.running], { env, reject: false, timeout: 90_000 })
    if (stopping()) return
    if (ip.exitCode !== 0) throw new Error(`${DEMO_VMS.running} did not boot: ${String(ip.stderr).trim()}`)
    const addr = String(ip.stdout).trim()
    log(`demo: ${DEMO_VMS.running} is running at ${addr} (ssh admin@${addr}, password admin); ${DEMO_VMS.stopped} is stopped`)
    log(demoCliHint({ tartPath: tart, tartHome, calHome }))
  }

  return { tartPath: tart, tartHome, calHome, start, stop }
}
