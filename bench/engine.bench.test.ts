import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitForSshBanner } from '../src/core/vms/ssh-wait'
import { createSimHost, type SimHost } from '../test/sim/harness'
import { createSimEngine, stopEverything, type SimEngine } from '../test/engine/sim-engine'
import { recordFigure } from './record'

// Engine overhead against the simulated Tart host: the same operation done by hand with raw Tart commands
// (run + ip --wait + SSH banner; suspend + clone + run…; clone + stop + rename + rename + delete + run…) and by
// CAL's engine, alternately, ROUNDS times each; the figure is median(CAL) − median(raw). Both pay the guest's own
// boot and Tart's 1 s `ip --wait` polling, so what is left is what CAL adds.
const ROUNDS = 5
const VM = 'bench-eng'
let host: SimHost
let eng: SimEngine

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? NaN
}

async function tart(args: string[]): Promise<string> {
  const r = await execa(host.tartPath, args, { env: host.env, reject: false })
  if (r.exitCode !== 0) throw new Error(`tart ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

/** Raw: `tart run` detached, `tart ip --wait`, SSH banner. Returns the run child. */
async function rawBoot(): Promise<{ child: ReturnType<typeof execa> }> {
  const child = execa(host.tartPath, ['run', '--no-graphics', '--suspendable', VM], { env: host.env, detached: true, stdio: 'ignore', reject: false })
  const ip = (await tart(['ip', VM, '--wait', '30'])).trim()
  await waitForSshBanner(ip, 22, { timeoutMs: 30_000 })
  return { child }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await fn()
  return performance.now() - t0
}

async function ensureStopped(): Promise<void> {
  const state = JSON.parse(await tart(['get', VM, '--format', 'json'])).State as string
  if (state === 'running') await eng.svc.stop(VM, true).done
  else if (state === 'suspended') await tart(['stop', VM])
}

beforeAll(async () => {
  host = await createSimHost({ bootSeconds: 0.3 })
  eng = await createSimEngine(host)
  await eng.svc.create({ name: VM }).done
})

afterAll(async () => {
  if (host) await stopEverything(host)
  await host?.cleanup()
  await eng?.dispose()
})

describe('engine overhead', () => {
  it('start to SSH ready', async () => {
    const raw: number[] = []
    const cal: number[] = []
    for (let i = 0; i < ROUNDS; i++) {
      await ensureStopped()
      let boot: { child: ReturnType<typeof execa> } | null = null
      raw.push(await timed(async () => (boot = await rawBoot())))
      await tart(['stop', VM])
      await boot!.child
      cal.push(await timed(() => eng.svc.start(VM).done))
    }
    console.error(`start: raw ${raw.map(Math.round)} ms, CAL ${cal.map(Math.round)} ms`)
    recordFigure({ bench: 'engine.start_overhead_ms', value: median(cal) - median(raw), unit: 'ms', target: '< 300' })
    expect(cal).toHaveLength(ROUNDS)
  })

  it('snapshot of a running VM (pause, clone, back to SSH ready)', async () => {
    const raw: number[] = []
    const cal: number[] = []
    for (let i = 0; i < ROUNDS; i++) {
      await ensureStopped()
      const { child } = await rawBoot()
      raw.push(
        await timed(async () => {
          await tart(['suspend', VM])
          await child
          await tart(['clone', VM, `raw-snap-${i}`])
          const again = await rawBoot()
          void again
        }),
      )
      await tart(['stop', VM])
      await tart(['delete', `raw-snap-${i}`])
      await ensureStopped()
      await eng.svc.start(VM).done
      cal.push(await timed(() => eng.svc.createSnapshot(VM, `cal-snap-${i}`, 'manual').done))
    }
    console.error(`snapshot: raw ${raw.map(Math.round)} ms, CAL ${cal.map(Math.round)} ms`)
    recordFigure({ bench: 'engine.snapshot_overhead_ms', value: median(cal) - median(raw), unit: 'ms', target: '< 300' })
  })

  it('restore of a running VM (clone to temp, swap, back to SSH ready)', async () => {
    const raw: number[] = []
    const cal: number[] = []
    const snap = (await eng.svc.listSnapshots(VM))[0]!
    for (let i = 0; i < ROUNDS; i++) {
      await ensureStopped()
      await rawBoot()
      raw.push(
        await timed(async () => {
          await tart(['clone', snap.tartName, `${VM}.tmp`])
          await tart(['stop', VM, '--timeout', '5'])
          await tart(['rename', VM, `${VM}.old`])
          await tart(['rename', `${VM}.tmp`, VM])
          await tart(['delete', `${VM}.old`])
          await rawBoot()
        }),
      )
      await ensureStopped()
      await eng.svc.start(VM).done
      cal.push(await timed(async () => (await eng.svc.restoreSnapshot(VM, snap.name, true)).done))
    }
    console.error(`restore: raw ${raw.map(Math.round)} ms, CAL ${cal.map(Math.round)} ms`)
    recordFigure({ bench: 'engine.restore_overhead_ms', value: median(cal) - median(raw), unit: 'ms', target: '< 300' })
  })
})
