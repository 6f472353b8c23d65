// Ctrl-C on a terminal reaches the `tart` cal is running as well as cal itself (one process group), and can end it
// before cal's own handler has cancelled the task. That is the user's cancel, and is handled as one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimHost, type SimHost } from '../sim/harness'
import { createSimEngine, faultyTart, interruptTart, stopEverything, type SimEngine } from './sim-engine'

const isRoot = process.getuid?.() === 0
const T = 90_000

describe.skipIf(!isRoot)('a tart call ended by Ctrl-C', () => {
  let host: SimHost
  let eng: SimEngine

  beforeAll(async () => {
    host = await createSimHost()
    eng = await createSimEngine(host, { tartPath: await faultyTart(host) })
    await eng.svc.create({ name: 'intr' }).done
  }, T)
  afterAll(async () => {
    if (host) await stopEverything(host)
    await host?.cleanup()
    await eng?.dispose()
  })

  it('a start whose `tart ip` dies of SIGINT is cancelled, and the VM it began to start is stopped again', async () => {
    await interruptTart(host, 'ip', ['intr'])
    const err = await eng.svc.start('intr').done.catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'CANCELLED', message: 'Start intr was cancelled.' })
    expect(eng.tasks.filter((t) => t.kind === 'start').at(-1)?.state).toBe('cancelled')
    const list = await host.run(['list', '--format', 'json'])
    expect((JSON.parse(list.stdout) as { Name: string; State: string }[]).find((v) => v.Name === 'intr')?.State).toBe('stopped')
  }, T)
})
