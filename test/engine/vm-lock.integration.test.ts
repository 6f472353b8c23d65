// Two CAL processes on one VM: this test's engine (standing in for the app) and the built `cal` command, on one
// CAL_HOME and the simulated Tart host.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { vmLockPath } from '../../src/core/vms/vm-lock'
import { createSimHost, type SimHost } from '../sim/harness'
import { BUILT_CAL as calJs, createSimEngine, requireBuiltCal, stopEverything, type SimEngine } from './sim-engine'

const isRoot = process.getuid?.() === 0
const T = 90_000

describe.skipIf(!isRoot)('one VM, two CAL processes', () => {
  let host: SimHost
  let eng: SimEngine

  beforeAll(async () => {
    requireBuiltCal()
    host = await createSimHost()
    eng = await createSimEngine(host)
    await eng.svc.create({ name: 'shared' }).done
  }, T)
  afterAll(async () => {
    if (host) await stopEverything(host)
    await host?.cleanup()
    await eng?.dispose()
  })

  /** `cal ARGS` as its own process on the engine's CAL_HOME and the sim's Tart. */
  function calProcess(args: string[]) {
    const child = spawn(process.execPath, [calJs, '--tart', host.tartPath, ...args], {
      env: { ...process.env, ...host.env, CAL_HOME: eng.calHome },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<{ code: number | null; stderr: string }>((r) => child.once('exit', (code) => r({ code, stderr })))
    return { child, exited }
  }

  async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
    const end = Date.now() + ms
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  it('refuses an operation while another CAL process works on the VM, naming it, and goes ahead once it is done', async () => {
    const lock = vmLockPath(join(eng.calHome, 'run'), 'shared')
    const other = calProcess(['start', 'shared'])
    await until(() => existsSync(lock), "the cal command's lock")

    const refused = eng.svc.stop('shared').done
    await expect(refused).rejects.toMatchObject({ code: 'VM_BUSY', details: { owner: { pid: other.child.pid, title: 'Start shared' } } })
    await expect(refused).rejects.toThrow(/Another CAL process is working on "shared": Start shared \(process \d+/)

    const { code, stderr } = await other.exited
    expect(stderr).not.toContain('VM_BUSY')
    expect(code).toBe(0)
    expect(existsSync(lock)).toBe(false)
    expect((await eng.svc.get('shared')).state).toBe('running')

    // The other way round: the cal command finds the VM busy with this engine's start (a slow boot), and says so.
    await eng.svc.stop('shared').done
    await host.setFaults('shared', { boot_seconds: 6 })
    const start = eng.svc.start('shared').done
    await until(() => existsSync(lock), "the engine's lock")
    const cli = await calProcess(['stop', 'shared']).exited
    expect(cli.code).toBe(4)
    expect(cli.stderr).toContain('Another CAL process is working on "shared": Start shared')
    expect(cli.stderr).toContain('Wait for it to finish')
    await start
    await host.setFaults('shared', {})
    expect((await eng.svc.get('shared')).state).toBe('running')
  }, T)

  it('lets exactly one of several cal commands take over a lock left by a dead process', async () => {
    const lock = vmLockPath(join(eng.calHome, 'run'), 'shared')
    await eng.svc.stop('shared').done
    const gone = spawn('true')
    await new Promise((r) => gone.once('exit', r))
    await mkdir(join(lock, '..'), { recursive: true })
    await writeFile(lock, JSON.stringify({ pid: gone.pid, title: 'Restore shared to x', since: new Date().toISOString() }))
    const runs = await Promise.all([0, 1, 2, 3].map(() => calProcess(['start', 'shared']).exited))
    expect(runs.filter((r) => r.code === 0)).toHaveLength(1)
    for (const r of runs.filter((x) => x.code !== 0)) {
      expect(r.code).toBe(4)
      expect(r.stderr).toMatch(/Another CAL process is working on "shared": Start shared|is already running/)
    }
    expect(existsSync(lock)).toBe(false)
    expect((await eng.svc.get('shared')).state).toBe('running')
  }, T)

  it('takes over a lock whose PID now belongs to another program', async () => {
    const lock = vmLockPath(join(eng.calHome, 'run'), 'shared')
    const other = spawn('sleep', ['30'])
    try {
      await mkdir(join(lock, '..'), { recursive: true })
      const twoDaysAgo = Date.now() - 2 * 86_400_000
      await writeFile(lock, JSON.stringify({ pid: other.pid, title: 'Start shared', since: new Date().toISOString(), started: twoDaysAgo }))
      await eng.svc.stop('shared').done
      expect(existsSync(lock)).toBe(false)
      // The same PID with its real start time is held.
      await writeFile(lock, JSON.stringify({ pid: other.pid, title: 'Start shared', since: new Date().toISOString(), started: Date.now() }))
      await expect(eng.svc.start('shared').done).rejects.toMatchObject({ code: 'VM_BUSY' })
    } finally {
      other.kill()
    }
    await new Promise((r) => other.once('exit', r))
    await eng.svc.start('shared').done
  }, T)

  it('takes over a lock left by a process that is gone', async () => {
    const lock = vmLockPath(join(eng.calHome, 'run'), 'shared')
    const gone = spawn('true')
    await new Promise((r) => gone.once('exit', r))
    await mkdir(join(lock, '..'), { recursive: true })
    await writeFile(lock, JSON.stringify({ pid: gone.pid, title: 'Restore shared to x', since: new Date().toISOString() }))
    await eng.svc.stop('shared').done
    expect((await eng.svc.get('shared')).state).toBe('stopped')
    expect(existsSync(lock)).toBe(false)
    // A lock file cut short by a crash (empty) and left for a while is taken over too.
    await writeFile(lock, '')
    execFileSync('touch', ['-d', '1 minute ago', lock])
    await eng.svc.start('shared').done
    expect(existsSync(lock)).toBe(false)
  }, T)
})
