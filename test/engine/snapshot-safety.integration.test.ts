// Snapshot, suspend, restore and delete when things go wrong, against the simulated host (real sshd guests).
// Faults the simulator has no switch for (Tart refusing a suspend or a rename) come from a wrapper around the
// simulated tart (faultyTart); everything else is the simulator itself.
import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CalError } from '../../src/shared/errors'
import { freeBytes } from '../../src/core/host/disk'
import { createSimHost, type SimHost } from '../sim/harness'
import { createSimEngine, failTart, faultyTart, slowTart, stopEverything, type SimEngine } from './sim-engine'

const isRoot = process.getuid?.() === 0
const T = 90_000

describe.skipIf(!isRoot)('snapshot safety on the simulated host', () => {
  let host: SimHost
  let eng: SimEngine
  let tartPath: string
  /** What the engine is told is free on TART_HOME's volume; null: the real figure. */
  let fakeFree: number | null = null

  const tartNames = async (): Promise<string[]> => JSON.parse((await host.run(['list', '--format', 'json', '--source', 'local'])).stdout).map((e: { Name: string }) => e.Name).sort()
  const tartState = async (name: string): Promise<string> => JSON.parse((await host.run(['get', name, '--format', 'json'])).stdout).State
  const failure = (p: Promise<unknown>): Promise<CalError> => p.then(
    () => {
      throw new Error('expected a failure')
    },
    (e: unknown) => e as CalError,
  )

  beforeAll(async () => {
    host = await createSimHost()
    tartPath = await faultyTart(host)
    eng = await createSimEngine(host, { tartPath, freeSpace: async (p) => fakeFree ?? freeBytes(p) })
    await eng.svc.create({ name: 'dev' }).done
    await eng.svc.start('dev').done
  }, T)
  afterAll(async () => {
    if (host) await stopEverything(host)
    await host?.cleanup()
    await eng?.dispose()
    if (tartPath) await rm(dirname(tartPath), { recursive: true, force: true })
  })

  it('a session snapshot is refused with DISK_FULL when the disk cannot hold the saved memory; the VM runs on', async () => {
    const pid = (await eng.exec('dev', 'nohup sleep 600 >/dev/null 2>&1 & echo $!')).stdout.trim()
    fakeFree = 5e9
    try {
      const err = await failure(eng.svc.takeSessionSnapshot('dev'))
      expect(err.code).toBe('DISK_FULL')
      // 8192 MiB of memory plus the margin, against the 5 GB free.
      expect(err.message).toContain('needs about 10.6 GB')
      expect(err.message).toContain('only 5.0 GB is free')
      expect(err.message).toContain('keeps running')
      expect(err.hint).toContain('Snapshot at every agent session start')
      // The plain Suspend verb is refused the same way, with its own way out.
      const plain = await failure(eng.svc.suspend('dev').done)
      expect(plain.code).toBe('DISK_FULL')
      expect(plain.hint).toContain('cal stop dev')
    } finally {
      fakeFree = null
    }
    expect(await tartState('dev')).toBe('running')
    // Not suspended and resumed: the guest's processes are the same ones (the simulator boots a resumed guest afresh).
    expect((await eng.exec('dev', `kill -0 ${pid}`)).code).toBe(0)
    expect((await eng.svc.ctx.facts.getRun('dev'))?.stopRequested).toBe(false)
    expect(await eng.svc.listSnapshots('dev')).toEqual([])
  }, T)

  it('a suspend Tart refuses leaves the VM running, and a later crash is still reported as one', async () => {
    await failTart(host, 'suspend', ['dev'])
    try {
      const err = await failure(eng.svc.suspend('dev').done)
      expect(err.message).toContain('Failed to suspend the VM')
    } finally {
      await failTart(host, 'suspend', [])
    }
    expect(await tartState('dev')).toBe('running')
    expect((await eng.svc.ctx.facts.getRun('dev'))?.stopRequested).toBe(false)

    await host.setFaults('dev', { die_after: 0, die_message: 'kernel panic after the failed suspend' })
    for (let i = 0; i < 50 && (await tartState('dev')) === 'running'; i++) await new Promise((r) => setTimeout(r, 100))
    const vm = await eng.svc.get('dev')
    expect(vm.state).toBe('error')
    expect(vm.error).toContain('kernel panic after the failed suspend')
    await host.setFaults('dev', {})
  }, T)

  it('a Start that resumes a suspended VM cannot be cancelled once under way; the VM comes back', async () => {
    if ((await tartState('dev')) !== 'running') await eng.svc.start('dev').done
    await eng.svc.suspend('dev').done
    expect(await tartState('dev')).toBe('suspended')
    const { taskId, done } = eng.svc.start('dev')
    expect(eng.svc.tasks.get(taskId)?.cancellable).toBe(false)
    for (let i = 0; i < 100 && eng.svc.tasks.get(taskId)?.steps.find((s) => s.id === 'ip')?.state !== 'running'; i++) await new Promise((r) => setTimeout(r, 50))
    expect(() => eng.svc.tasks.cancel(taskId)).toThrow(/cannot be cancelled/)
    await done
    expect(await tartState('dev')).toBe('running')
  }, T)

  it('a snapshot of a VM CAL did not start is refused, not powered off, when the guest cannot be asked to shut down', async () => {
    const ext = await host.bootVm('ext')
    try {
      // The guest runs on but has no address any more, so CAL cannot reach it over SSH to ask for a shutdown.
      await host.setFaults('ext', { no_ip: true })
      const err = await failure(eng.svc.createSnapshot('ext', 's1', 'manual').done)
      expect(err.code).toBe('VM_ALREADY_RUNNING')
      expect(err.message).toContain('could not be asked to shut down cleanly for snapshot "s1"')
      expect(err.message).toContain('still running')
      expect(err.hint).toContain('Shut it down from inside the VM')
      expect(err.hint).toContain('cal stop ext')
      expect(await tartState('ext')).toBe('running')
      expect(ext.process.exitCode).toBeNull()
      expect(await tartNames()).not.toContain('ext.snap.s1')
    } finally {
      await host.setFaults('ext', {})
      await ext.stop()
    }
  }, T)

  it('retention keeps the record of a session snapshot Tart could not delete, and deletes it next time', async () => {
    await eng.svc.stop('dev').done
    eng.settings.snapshots.keep = 1
    await eng.svc.createSnapshot('dev', 'keep-a', 'session').done
    // A running clone is one Tart refuses to delete ("VM is running").
    const clone = host.startVm('dev.snap.keep-a')
    await host.waitForIp(clone)
    try {
      // Not a workspace, so not in the list; but it holds one of the two slots, and the count beside the list says so.
      await eng.svc.refresh()
      expect(eng.vmEmits.at(-1)?.map((v) => v.name)).not.toContain('dev.snap.keep-a')
      expect(eng.unlistedEmits.at(-1)).toEqual(['dev.snap.keep-a'])
      expect(await eng.svc.unlisted()).toEqual(['dev.snap.keep-a'])
      const { taskId, done } = eng.svc.createSnapshot('dev', 'keep-b', 'session')
      await done
      expect(eng.svc.tasks.get(taskId)?.log.join('\n')).toContain('could not delete automatic snapshot keep-a')
      expect((await eng.svc.listSnapshots('dev')).map((s) => s.name)).toEqual(['keep-b', 'keep-a'])
    } finally {
      await clone.stop()
    }
    await eng.svc.refresh()
    expect(eng.unlistedEmits.at(-1)).toEqual([])
    expect(await eng.svc.pruneSnapshots('dev')).toEqual(['keep-a'])
    expect(await tartNames()).not.toContain('dev.snap.keep-a')
    eng.settings.snapshots.keep = 10
  }, T)

  it('a session snapshot that was taken succeeds even when retention fails after it', async () => {
    const settings = eng.settings
    const snapshots = settings.snapshots
    // Retention is the only reader of the snapshot settings: make it fail there, after the clone.
    Object.defineProperty(settings, 'snapshots', {
      configurable: true,
      get: () => {
        throw new Error('settings unreadable')
      },
    })
    try {
      const { taskId, done } = eng.svc.createSnapshot('dev', 'taken', 'session')
      expect((await done).name).toBe('taken')
      expect(eng.svc.tasks.get(taskId)?.log.join('\n')).toContain('retention: could not remove old automatic snapshots (settings unreadable)')
    } finally {
      Object.defineProperty(settings, 'snapshots', { configurable: true, writable: true, enumerable: true, value: snapshots })
    }
    expect((await eng.svc.listSnapshots('dev')).map((s) => s.name)).toContain('taken')
    await eng.svc.deleteSnapshot('dev', 'taken').done
  }, T)

  it('a restore whose last rename fails says whether the working VM was really put back', async () => {
    await eng.svc.createSnapshot('dev', 'before', 'manual').done
    await failTart(host, 'rename', ['dev.restore-tmp'])
    const back = await failure(eng.svc.restoreSnapshot('dev', 'before', true).then((s) => s.done))
    expect(back.message).toContain('was put back')
    expect(back.details).toMatchObject({ workingVmIntact: true })
    const afterBack = await tartNames()
    expect(afterBack).toContain('dev')
    expect(afterBack.filter((n) => n.startsWith('dev.restore-'))).toEqual([])

    await failTart(host, 'rename', ['dev.restore-tmp', 'dev.restore-old'])
    const parked = await failure(eng.svc.restoreSnapshot('dev', 'before', true).then((s) => s.done))
    await failTart(host, 'rename', [])
    expect(parked.message).not.toContain('was put back')
    expect(parked.message).toContain('parked as "dev.restore-old"')
    expect(parked.hint).toContain('`tart rename dev.restore-old dev`')
    expect(parked.details).toMatchObject({ workingVmIntact: false })
    const afterParked = await tartNames()
    expect(afterParked).not.toContain('dev')
    expect(afterParked.filter((n) => n.startsWith('dev.restore-'))).toEqual(['dev.restore-old'])
    // Listed as the workspace it is, saying so; not as a VM that was deleted, whose "Finish deleting" deleted the
    // parked VM as a leftover.
    expect((await eng.svc.list()).find((v) => v.name === 'dev')?.error).toBe('A restore could not finish: the VM is parked as "dev.restore-old". CAL puts it back when it next starts; or run `tart rename dev.restore-old dev`.')
    expect((await eng.svc.diskUsage()).vms.find((v) => v.name === 'dev')).toMatchObject({ deleted: false })
    // A delete puts it back first; while Tart cannot rename it, nothing is deleted.
    await failTart(host, 'rename', ['dev.restore-old'])
    const kept = await failure(eng.svc.delete('dev', false, true).then((s) => s.done))
    await failTart(host, 'rename', [])
    expect(kept.message).toContain('"dev" is parked as "dev.restore-old" by a restore that could not finish, and Tart could not rename it back')
    expect(kept.message).toContain('Nothing was deleted.')
    expect(await tartNames()).toEqual(afterParked)
    expect((await eng.svc.listSnapshots('dev')).map((s) => s.name)).toContain('before')

    // What the engine runs when it starts puts the parked VM back.
    const lines: string[] = []
    await eng.svc.recoverRestoreLeftovers((l) => lines.push(l))
    const afterRepair = await tartNames()
    expect(afterRepair).toContain('dev')
    expect(afterRepair.filter((n) => n.startsWith('dev.restore-'))).toEqual([])
    expect(lines.join('\n')).toContain('renamed dev.restore-old back to dev')
  }, T)

  it('the last session snapshot a VM shows is the newest there is: deleting it takes Roll back away', async () => {
    await eng.svc.create({ name: 'sess' }).done
    try {
      const first = await eng.svc.createSnapshot('sess', 'sess-a', 'session').done
      const second = await eng.svc.createSnapshot('sess', 'sess-b', 'session').done
      expect((await eng.svc.get('sess')).lastSessionSnapshotAt).toBe(second.createdAt)
      await eng.svc.deleteSnapshot('sess', 'sess-b').done
      expect((await eng.svc.get('sess')).lastSessionSnapshotAt).toBe(first.createdAt)
      // It stayed at the deleted one's time: Roll back was offered, and failed with "no session-start snapshot".
      await eng.svc.deleteSnapshot('sess', 'sess-a').done
      expect((await eng.svc.list()).find((v) => v.name === 'sess')?.lastSessionSnapshotAt).toBeNull()
    } finally {
      await (await eng.svc.delete('sess', false, true)).done
    }
  }, T)

  it("a VM's address looked up while it restarts does not put the old run's record back", async () => {
    await eng.svc.create({ name: 'raced' }).done
    await eng.svc.start('raced').done
    const facts = eng.svc.ctx.facts
    const first = (await facts.getRun('raced'))!
    // The address is not recorded yet (a start that gave up waiting for it), and Tart is slow to tell it.
    await facts.putRun('raced', { ...first, ip: null })
    await slowTart(host, 'ip', ['raced'], 1.5)
    try {
      const target = eng.svc.sshTarget('raced')
      await new Promise((r) => setTimeout(r, 500))
      // Meanwhile a restart recorded its new run.
      await facts.putRun('raced', { ...first, pid: process.pid, startedAt: '2026-11-24T07:00:00.000Z', ip: null })
      await target
      expect(await facts.getRun('raced')).toMatchObject({ pid: process.pid, startedAt: '2026-11-24T07:00:00.000Z' })
    } finally {
      await slowTart(host, 'ip', [], 0)
      await facts.putRun('raced', first)
      await eng.svc.stop('raced').done
      await (await eng.svc.delete('raced', false, true)).done
    }
  }, T)

  it('deleting a VM a failed restore left parked puts it back, then deletes it with its snapshots', async () => {
    await eng.svc.create({ name: 'parked' }).done
    await eng.svc.createSnapshot('parked', 'one', 'manual').done
    expect((await host.run(['rename', 'parked', 'parked.restore-old'])).exitCode).toBe(0)
    // Stopped, under another name: it cannot be checked for git work, so a delete needs confirming, as for any stopped VM.
    await expect(eng.svc.delete('parked', false, false)).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' })
    const { taskId, done } = await eng.svc.delete('parked', false, true)
    await done
    expect(eng.svc.tasks.get(taskId)?.log.join('\n')).toContain('parked was parked as parked.restore-old by a restore that could not finish: renamed back')
    expect((await tartNames()).filter((n) => n.startsWith('parked'))).toEqual([])
  }, T)

  it('deleting a VM deletes it first, then its snapshots, unrecorded clones and restore leftovers', async () => {
    await eng.svc.create({ name: 'gone' }).done
    await eng.svc.createSnapshot('gone', 'kept', 'manual').done
    for (const n of ['gone.snap.orphan', 'gone.restore-old', 'gone.restore-tmp', 'gone.snap', 'gone.snap.snap.x']) {
      const r = await host.run(['clone', 'gone', n])
      expect(r.exitCode, `tart clone gone ${n}: ${r.stderr}${r.stdout}`).toBe(0)
    }
    // A clone Tart refuses to delete: the VM still goes, the clone keeps its record, and the error names it.
    const clone = host.startVm('gone.snap.kept')
    await host.waitForIp(clone)
    try {
      const err = await failure(eng.svc.delete('gone', false, true).then((s) => s.done))
      expect(err.code).toBe('TART_FAILED')
      expect(err.message).toContain('"gone" was deleted')
      // Through CAL, which forgets its record too (a `tart delete` left a snapshot of nothing on record).
      expect(err.hints.cli).toBe('Finish the delete with `cal delete gone` (stop a running copy first with `tart stop gone.snap.kept`).')
      const names = await tartNames()
      expect(names.filter((n) => n.startsWith('gone'))).toEqual(['gone.snap', 'gone.snap.kept', 'gone.snap.snap.x'])
      expect((await eng.svc.listSnapshots('gone')).map((s) => s.name)).toEqual(['kept'])
    } finally {
      await clone.stop()
    }
    // As the hint says: the delete again finishes it.
    await (await eng.svc.delete('gone', false, true)).done
    expect((await tartNames()).filter((n) => n.startsWith('gone'))).toEqual(['gone.snap', 'gone.snap.snap.x'])
    expect(await eng.svc.ctx.facts.get('gone.snap.kept')).toBeNull()
    for (const n of ['gone.snap', 'gone.snap.snap.x']) await host.run(['delete', n])
  }, T)

  it('a snapshot name whose Tart copy is already another VM\'s snapshot is refused, saying whose', async () => {
    await eng.svc.create({ name: 'pair' }).done
    await eng.svc.create({ name: 'pair.snap' }).done
    await eng.svc.createSnapshot('pair.snap', 'x', 'manual').done
    const err = await failure(eng.svc.createSnapshot('pair', 'snap.x', 'manual').done)
    expect(err.code).toBe('SNAPSHOT_EXISTS')
    expect(err.message).toBe('The snapshot name "snap.x" is not free for "pair": its Tart copy would be "pair.snap.snap.x", which is already a snapshot of "pair.snap".')
    expect((await eng.svc.listSnapshots('pair')).map((s) => s.name)).toEqual([])
    expect((await eng.svc.listSnapshots('pair.snap')).map((s) => s.name)).toEqual(['x'])
    // Deleting "pair" leaves "pair.snap" and its snapshot alone.
    await (await eng.svc.delete('pair', false, true)).done
    expect((await tartNames()).filter((n) => n.startsWith('pair'))).toEqual(['pair.snap', 'pair.snap.snap.x'])
    await (await eng.svc.delete('pair.snap', false, true)).done
  }, T)
})
