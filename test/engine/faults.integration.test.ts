// Failure paths against the simulated host: the 2-VM limit, a guest that dies, a full disk, no IP, pull progress.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CalError } from '../../src/shared/errors'
import { createSimHost, KNOWN_IMAGES, type SimHost } from '../sim/harness'
import { createSimEngine, faultyTart, interruptTart, stopEverything, type SimEngine } from './sim-engine'

const isRoot = process.getuid?.() === 0
const T = 90_000

describe.skipIf(!isRoot)('failure paths on the simulated host', () => {
  let host: SimHost
  let eng: SimEngine

  beforeAll(async () => {
    host = await createSimHost()
    eng = await createSimEngine(host)
    // Three workspaces from the cached image (the first pull fills the cache).
    for (const n of ['a', 'b', 'c']) await eng.svc.create({ name: n }).done
  }, T)
  afterAll(async () => {
    if (host) await stopEverything(host)
    await host?.cleanup()
    await eng?.dispose()
  })

  it("a stop of a VM stopped behind CAL's back says so, and never shows it running again meanwhile", async () => {
    await eng.svc.start('a').done
    await eng.svc.settled()
    expect(eng.vmEmits.at(-1)?.find((v) => v.name === 'a')?.state).toBe('running')
    // Tart stops it; CAL has not listed it since.
    expect((await host.run(['stop', '--timeout', '5', 'a'])).exitCode).toBe(0)
    const from = eng.vmEmits.length
    const err = await eng.svc.stop('a').done.catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'VM_NOT_RUNNING', message: 'The VM "a" is already stopped.' })
    await eng.svc.settled()
    await eng.svc.refresh()
    const shown = eng.vmEmits.slice(from).map((list) => list.find((v) => v.name === 'a')?.state)
    // Shown running again (with its address) read as "a is ready" in the window.
    expect(shown).not.toContain('running')
    expect(shown.at(-1)).toBe('stopped')
  }, T)

  it('refuses the third macOS VM up front, naming the two running', async () => {
    await Promise.all([eng.svc.start('a').done, eng.svc.start('b').done])
    const err = await eng.svc.start('c').done.catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'VM_LIMIT_REACHED', details: { running: ['a', 'b'] } })
    // The window is told at once that nothing changed: "c" is not left "starting" (a third running VM of two).
    expect(eng.vmEmits.at(-1)?.find((v) => v.name === 'c')?.state).toBe('stopped')
    expect((err as Error).message).toContain('a and b are already running')
    expect((await eng.svc.get('c')).state).toBe('stopped')
    const cli = await eng.cal(['start', 'c'])
    expect(cli.code).toBe(5)
    expect(cli.stderr).toMatch(/^error: .*a and b are already running.*\nhint: .*cal stop a/m)
    await eng.svc.stop('b', true).done
  }, T)

  it('a guest that dies while being brought back from a snapshot: the snapshot is kept, the error says so', async () => {
    // The VM is suspended while the clone runs; make it die as soon as it boots again.
    const off = eng.events.on('tasks:updated', (t) => {
      if (t.kind === 'snapshot' && t.steps.find((s) => s.id === 'clone')?.state === 'running') {
        writeFileSync(join(host.vmPath('a'), 'sim-faults.json'), JSON.stringify({ die_after: 0 }))
      }
    })
    const err = await eng.svc.createSnapshot('a', 'mid', 'manual').done.catch((e: unknown) => e)
    off()
    expect(err).toMatchObject({ code: 'VM_DIED', details: expect.objectContaining({ snapshot: 'mid' }) })
    expect((err as Error).message).toContain('snapshot "mid" was taken and is safe')
    expect((await eng.svc.listSnapshots('a')).map((s) => s.name)).toEqual(['mid'])
    const vm = await eng.svc.get('a')
    expect(vm.state).toBe('error')
    expect(vm.error).toContain('stopped unexpectedly')
    await host.setFaults('a', {})
  }, T)

  it('a guest that died on its own shows as error; a snapshot of it still works', async () => {
    await eng.svc.start('c').done
    await host.setFaults('c', { die_after: 0, die_message: 'kernel panic' })
    for (let i = 0; i < 50 && (await eng.svc.get('c')).state === 'running'; i++) await new Promise((r) => setTimeout(r, 100))
    const vm = await eng.svc.get('c')
    expect(vm).toMatchObject({ state: 'error' })
    expect(vm.error).toContain('kernel panic')
    await host.setFaults('c', {})
    const snap = await eng.svc.createSnapshot('c', 'after-crash', 'manual').done
    expect(snap.name).toBe('after-crash')
  }, T)

  it('a start whose run record cannot be written (CAL_HOME full) does not leave the VM running unrecorded', async () => {
    // A folder where the record goes: writing it fails as a full CAL_HOME does, after `tart run` was spawned.
    const runFile = join(eng.calHome, 'run', 'a.json')
    rmSync(runFile, { force: true })
    mkdirSync(join(runFile, 'in-the-way'), { recursive: true })
    try {
      await expect(eng.svc.start('a').done).rejects.toBeInstanceOf(Error)
      const listed = JSON.parse((await host.run(['list', '--format', 'json', '--source', 'local'])).stdout) as { Name: string; State: string }[]
      expect(listed.find((e) => e.Name === 'a')?.State).toBe('stopped')
    } finally {
      rmSync(runFile, { recursive: true, force: true })
    }
    // Nothing left over: it starts as usual once CAL_HOME can be written.
    await eng.svc.start('a').done
    await eng.svc.stop('a', true).done
  }, T)

  it("a start that Tart stops meanwhile gives Tart's last line once, with one full stop", async () => {
    await eng.svc.create({ name: 'sw' }).done
    await host.setFaults('sw', { boot_seconds: 4 })
    const started = eng.svc.start('sw')
    await new Promise((r) => setTimeout(r, 1500))
    expect((await host.run(['stop', '--timeout', '2', 'sw'])).exitCode).toBe(0)
    const err = await started.done.catch((e: unknown) => e)
    // Tart printed "Stopping VM...": it read "stopped while starting: Stopping VM....".
    expect(err).toMatchObject({ code: 'VM_DIED', message: 'The VM "sw" stopped while starting: Stopping VM.' })
    await host.setFaults('sw', {})
    await (await eng.svc.delete('sw', false, true)).done
  }, T)

  it('a clone onto a full disk fails with DISK_FULL and leaves nothing behind', async () => {
    await host.setFaults('c', { disk_full: true })
    const err = await eng.svc.createSnapshot('c', 'full', 'manual').done.catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'DISK_FULL' })
    expect((await eng.svc.listSnapshots('c')).map((s) => s.name)).toEqual(['after-crash'])
    await host.setFaults('c', {})
  }, T)

  it('a create whose new host-key pin cannot be written (CAL_HOME full or broken) leaves no VM behind', async () => {
    // The pin is re-made for every new VM (a same-named VM before it may have had another key). Before, a failure
    // there came after the create was done: the error said it failed, and the VM was there all the same.
    const ssh = join(eng.calHome, 'ssh')
    const had = existsSync(ssh)
    if (had) renameSync(ssh, `${ssh}.kept`)
    writeFileSync(ssh, 'a file where CAL keeps its SSH folder')
    try {
      const err = await eng.svc.create({ name: 'y' }).done.catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'INTERNAL', message: expect.stringContaining(`CAL cannot use its SSH folder ${ssh}`) })
      expect(JSON.parse((await host.run(['list', '--format', 'json', '--source', 'local'])).stdout).map((e: { Name: string }) => e.Name)).not.toContain('y')
      expect((await eng.svc.list()).map((v) => v.name)).not.toContain('y')
    } finally {
      rmSync(ssh, { force: true })
      if (had) renameSync(`${ssh}.kept`, ssh)
    }
    await eng.svc.create({ name: 'y' }).done
    await (await eng.svc.delete('y', false, true)).done
  }, T)

  it('a pull is refused before it starts when the disk is nearly full', async () => {
    const tiny = await createSimEngine(host, { freeSpace: async () => 1e9 })
    try {
      const err = await tiny.svc.create({ name: 'x', image: KNOWN_IMAGES.tahoeBase }).done.catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'DISK_FULL' })
      expect((err as Error).message).toContain('1.0 GB is free')
    } finally {
      await tiny.dispose()
    }
  }, T)

  it('a pull is stopped once Tart announces an image bigger than the free space', async () => {
    const small = await createSimEngine(host, { freeSpace: async () => 20e9 })
    try {
      const err = await small.svc.create({ name: 'x', image: KNOWN_IMAGES.tahoeBase }).done.catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'DISK_FULL' })
      expect((err as Error).message).toContain('23.4 GB compressed')
      const oci = JSON.parse((await host.run(['list', '--format', 'json', '--source', 'oci'])).stdout) as { Name: string }[]
      expect(oci.some((e) => e.Name.includes('tahoe'))).toBe(false)
      expect((await host.run(['list', '--format', 'json', '--source', 'local'])).stdout).not.toContain('"x"')
    } finally {
      await small.dispose()
    }
  }, T)

  it('Tart running out of space mid-pull is DISK_FULL', async () => {
    const full = await createSimEngine(host, { env: { ...process.env, ...host.env, TART_SIM_DISK_FULL: '1' } })
    try {
      const err = await full.svc.create({ name: 'x', image: KNOWN_IMAGES.sequoiaVanilla }).done.catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'DISK_FULL' })
    } finally {
      await full.dispose()
    }
  }, T)

  it('reads interactive progress (cursor escapes) when CI is not set', async () => {
    const env = { ...process.env, ...host.env, TART_SIM_PULL_SECONDS: '1.5' }
    delete (env as Record<string, string | undefined>).CI
    const tty = await createSimEngine(host, { env })
    try {
      const { taskId, done } = tty.svc.create({ name: 'ubu', image: KNOWN_IMAGES.ubuntu })
      await done
      const percents = tty.tasks.filter((t) => t.id === taskId && t.percent !== null && t.state === 'running').map((t) => t.percent)
      expect(percents.length).toBeGreaterThan(2)
      expect(percents).toContain(0)
      expect(tty.tasks.filter((t) => t.id === taskId).at(-1)!.log.join('\n')).toContain('pulling disk (1.2 GB compressed)...')
    } finally {
      await tty.dispose()
    }
  }, T)

  it('a guest that never gets an IP times out with VM_BOOT_TIMEOUT', async () => {
    const quick = await createSimEngine(host, { timing: { ipWaitSeconds: 2, sshWaitMs: 2000, shutdownGraceMs: 2000, suspendWaitMs: 5000 } })
    try {
      await host.setFaults('b', { no_ip: true })
      const err = (await quick.svc.start('b').done.catch((e: unknown) => e)) as CalError
      expect(err).toMatchObject({ code: 'VM_BOOT_TIMEOUT' })
      // Its log file, named: "under CAL_HOME/logs" was no folder anyone could open.
      const log = join(quick.calHome, 'logs', 'b.log')
      expect(err.hint).toContain(`check its log at ${log}`)
      expect(err.hints.app).toContain(`check its log at ${log}`)
    } finally {
      await host.setFaults('b', {})
      await host.run(['stop', 'b'])
      await quick.dispose()
    }
  }, T)

  // Tart runs in a process group of its own (a terminal's Ctrl+C reaches cal alone, which decides what it means): a
  // Tart that dies of a signal got it from elsewhere. That is a failure that says so, not a cancel nobody asked for.
  it('a start whose `tart ip` dies of a signal CAL did not send fails, and says so', async () => {
    await stopEverything(host)
    const interrupted = await createSimEngine(host, { tartPath: await faultyTart(host) })
    try {
      await interruptTart(host, 'ip', ['c'], 'INT')
      const err = await interrupted.svc.start('c').done.catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'TART_FAILED', message: 'tart ip was stopped by SIGINT, which CAL did not send.' })
      expect(interrupted.tasks.filter((t) => t.kind === 'start').at(-1)?.state).toBe('failed')
    } finally {
      await interruptTart(host, 'ip', [])
      await host.run(['stop', 'c'])
      await interrupted.dispose()
    }
  }, T)
})
