import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest'
import { createEngine, type Engine } from '../../src/core/engine'
import { FactsStore } from '../../src/core/store/facts'
import { vmLockPath } from '../../src/core/vms/vm-lock'
import type { EventPayload } from '../../src/shared/api'
import type { Task } from '../../src/shared/task'
import { createSimHost, DEFAULT_IMAGE, type SimHost } from '../sim/harness'

/**
 * The whole engine as the app builds it (createEngine: VM service, SSH pool, terminals, settings), against the
 * simulated Tart host: no piece is swapped for a test double.
 */
const VM = 'eng-full'
const isRoot = process.getuid?.() === 0
let sim: SimHost
let engine: Engine
let calHome: string
const tasks = new Map<string, Task>()
const logs: string[] = []

async function finished(started: Promise<{ taskId: string }>): Promise<Task> {
  const { taskId } = await started
  for (let i = 0; i < 1200; i++) {
    const t = tasks.get(taskId)
    if (t && t.state !== 'running') return t
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`task ${taskId} did not finish`)
}

async function succeeded(started: Promise<{ taskId: string }>): Promise<Task> {
  const task = await finished(started)
  expect(task.error, task.title).toBeNull()
  expect(task.state).toBe('succeeded')
  return task
}

describe.skipIf(!isRoot)('createEngine against the simulated host', () => {
  beforeAll(async () => {
    sim = await createSimHost()
    Object.assign(process.env, sim.env, { TART_HOME: sim.tartHome })
    calHome = mkdtempSync(join(tmpdir(), 'cal-engine-it-'))
    engine = createEngine({ calHome, tartPath: sim.tartPath, log: (l) => logs.push(`${new Date().toISOString()} ${l}`) })
    engine.events.on('tasks:updated', (t) => tasks.set(t.id, t))
  })

  beforeEach(() => {
    // On failure, show what the engine saw (SSH connects, drops) and the VM's own run log.
    onTestFailed(async () => {
      const runLog = await sim.run(['list']).then((r) => r.stdout)
      console.error(`engine log:\n${logs.join('\n')}\ntart list:\n${runLog}\ntasks:\n${[...tasks.values()].map((t) => `${t.title}: ${t.state} ${t.log.join(' | ')}`).join('\n')}`)
    })
  })

  afterAll(async () => {
    await engine?.dispose()
    await sim?.cleanup()
    rmSync(calHome, { recursive: true, force: true })
  })

  it('creates, starts and reaches the VM over SSH; a terminal streams the guest', async () => {
    const h = engine.handlers
    await succeeded(h['vms:create']({ name: VM }))
    await succeeded(h['vms:start']({ name: VM }))
    const report = await h['git:check']({ name: VM })
    expect(report).toMatchObject({ vm: VM, clean: true })

    const data: string[] = []
    const off = engine.events.on('terminal:data', (d) => data.push(Buffer.from(d.data).toString('utf8')))
    const session = await h['terminal:open']({ vm: VM, kind: 'shell', name: 'eng', cols: 100, rows: 30 })
    expect(session).toMatchObject({ vm: VM, tmuxSession: 'eng', state: 'connected' })
    engine.sends['terminal:input']({ id: session.id, data: 'echo "engine-$((20+22))"\r' })
    await expect.poll(() => data.join(''), { timeout: 10_000 }).toContain('engine-42')
    off()
    await h['terminal:close']({ id: session.id, mode: 'end' })
  })

  it('re-pins the host key of a VM recreated under the same name', async () => {
    const h = engine.handlers
    await succeeded(h['vms:stop']({ name: VM, force: true }))
    await succeeded(h['vms:delete']({ name: VM, force: true, confirmed: true }))
    // Deleted, it is forgotten: no pin, no known_hosts line left for its address.
    expect(JSON.parse(await readFile(join(calHome, 'ssh', 'host-pins.json'), 'utf8')).vms[VM]).toBeUndefined()
    expect(await readFile(join(calHome, 'ssh', 'known_hosts'), 'utf8')).not.toContain(`cal-vm=${VM}`)
    await succeeded(h['vms:create']({ name: VM }))
    await succeeded(h['vms:start']({ name: VM }))
    // A new disk has new host keys; CAL created it, so it trusts the new key instead of refusing it.
    expect(await h['git:check']({ name: VM })).toMatchObject({ vm: VM, clean: true })
    await succeeded(h['vms:stop']({ name: VM, force: true }))
  })

  it("reaches a VM restored to a snapshot from before CAL's key was installed, with the same pinned host key", async () => {
    const h = engine.handlers
    // A disk without CAL's key, as a snapshot taken before CAL first connected has (the host keys are the same).
    await rm(join(sim.guestHome(VM), '.ssh', 'authorized_keys'), { force: true })
    await succeeded(h['snapshots:create']({ vm: VM, name: 'before-key', kind: 'manual' }))
    await succeeded(h['snapshots:restore']({ vm: VM, snapshot: 'before-key', confirmed: true }))
    const installs = () => logs.filter((l) => l.includes(`ssh ${VM}: installed CAL's key after first contact with the password`)).length
    const before = installs()
    await succeeded(h['vms:start']({ name: VM }))
    // CAL's key is refused there; the password, offered to the pinned host only, lets CAL in and puts the key back.
    expect(await h['git:check']({ name: VM })).toMatchObject({ clean: true })
    expect(installs()).toBe(before + 1)
    await succeeded(h['vms:stop']({ name: VM, force: true }))
  })

  /** CAL's record of a workspace, as its create writes it: a restore's leftovers are only repaired for CAL's VMs. */
  const recordAsCals = (vm: string) =>
    new FactsStore(calHome).put(vm, { role: 'workspace', createdAt: new Date().toISOString(), baseImage: DEFAULT_IMAGE, agent: null, os: 'linux', parent: null, snapshotName: null, snapshotKind: null })

  it('repairs an interrupted restore when it starts; deleting a VM removes the leftovers it leaves alone', async () => {
    const names = async () => JSON.parse((await sim.run(['list', '--format', 'json', '--source', 'local'])).stdout).map((e: { Name: string }) => e.Name).filter((n: string) => n.startsWith('rec-')).sort()
    // rec-a was parked before the swap (its working name is free); rec-b's snapshot copy was never swapped in;
    // rec-c has both names, which only a git check could tell apart.
    // rec-z.restore-tmp was made by hand with Tart: CAL has no record of rec-z, so it is not CAL's to delete. rec-y was
    // parked by a restore whose records are gone (CAL_HOME reset): putting it back under its free name loses nothing.
    for (const n of ['rec-a.restore-old', 'rec-b', 'rec-b.restore-tmp', 'rec-c', 'rec-c.restore-old', 'rec-z.restore-tmp', 'rec-y.restore-old']) expect((await sim.run(['clone', DEFAULT_IMAGE, n])).exitCode).toBe(0)
    for (const n of ['rec-a', 'rec-b', 'rec-c']) await recordAsCals(n)
    const lines: string[] = []
    const second = createEngine({ calHome, tartPath: sim.tartPath, log: (l) => lines.push(l) })
    // The repair runs in the background; dispose waits for it.
    await second.dispose()
    expect(await names()).toEqual(['rec-a', 'rec-b', 'rec-c', 'rec-c.restore-old', 'rec-y', 'rec-z.restore-tmp'])
    expect(lines.join('\n')).not.toContain('rec-z')
    for (const n of ['rec-z.restore-tmp', 'rec-y']) await sim.run(['delete', n])
    expect(lines).toContain('restore recovery: renamed rec-a.restore-old back to rec-a (a restore was interrupted before the swap; the working VM is back)')
    expect(lines.join('\n')).toContain('deleted rec-b.restore-tmp')

    await succeeded(engine.handlers['vms:delete']({ name: 'rec-c', force: false, confirmed: true }))
    expect(await names()).toEqual(['rec-a', 'rec-b'])
    for (const n of ['rec-a', 'rec-b']) await sim.run(['delete', n])

    // Another CAL process working on rec-d (a delete between its two steps leaves just this): not "repaired".
    expect((await sim.run(['clone', DEFAULT_IMAGE, 'rec-d.restore-old'])).exitCode).toBe(0)
    await recordAsCals('rec-d')
    const other = spawn('sleep', ['30'])
    const lock = vmLockPath(join(calHome, 'run'), 'rec-d')
    await mkdir(join(lock, '..'), { recursive: true })
    await writeFile(lock, JSON.stringify({ pid: other.pid, title: 'Delete rec-d', since: new Date().toISOString() }))
    try {
      const skipped: string[] = []
      await createEngine({ calHome, tartPath: sim.tartPath, log: (l) => skipped.push(l) }).dispose()
      expect(skipped).toContain('restore recovery: skipped rec-d, another CAL process is working on it')
      expect(await names()).toEqual(['rec-d.restore-old'])
    } finally {
      other.kill()
      await rm(lock, { force: true })
      await sim.run(['delete', 'rec-d.restore-old'])
    }
  })

  it('an operation started at once after a crash mid-restore waits for the repair; a create never takes the parked name', async () => {
    const names = async () => JSON.parse((await sim.run(['list', '--format', 'json', '--source', 'local'])).stdout).map((e: { Name: string }) => e.Name).filter((n: string) => n.startsWith('rec-e')).sort()
    // What a restore killed between its two renames leaves: the working VM parked at OLD, and the restore lock of a
    // process that is gone, written a moment ago.
    expect((await sim.run(['clone', DEFAULT_IMAGE, 'rec-e.restore-old'])).exitCode).toBe(0)
    await recordAsCals('rec-e')
    const dead = spawn('true')
    await new Promise((r) => dead.once('exit', r))
    await mkdir(join(calHome, 'run'), { recursive: true })
    await writeFile(join(calHome, 'run', 'rec-e.restore.lock'), String(dead.pid))
    const lines: string[] = []
    const third = createEngine({ calHome, tartPath: sim.tartPath, log: (l) => lines.push(l) })
    const seen = new Map<string, Task>()
    third.events.on('tasks:updated', (t) => seen.set(t.id, t))
    try {
      const { taskId } = await third.handlers['vms:create']({ name: 'rec-e' })
      await expect.poll(() => seen.get(taskId)?.state, { timeout: 30_000 }).not.toBe('running')
      expect(seen.get(taskId)?.error?.code).toBe('VM_EXISTS')
      expect(lines).toContain('restore recovery: renamed rec-e.restore-old back to rec-e (a restore was interrupted before the swap; the working VM is back)')
      expect(await names()).toEqual(['rec-e'])
    } finally {
      await third.dispose()
      for (const n of await names()) await sim.run(['delete', n])
    }
  })

  it('shows the address of a VM started outside CAL', async () => {
    const outside = await sim.bootVm('eng-outside')
    expect(await engine.handlers['vms:get']({ name: 'eng-outside' })).toMatchObject({ state: 'running', ip: outside.ip })
    await outside.stop()
  })

  it('a terminal keeps reconnecting while a restore has set its VM aside, and comes back with the VM', async () => {
    const name = 'eng-aside'
    let vm = await sim.bootVm(name)
    const states: { state: string; message: string | null }[] = []
    const off = engine.events.on('terminal:state', (e) => states.push(e))
    try {
      const s = await engine.handlers['terminal:open']({ vm: name, kind: 'shell', name: 'aside', cols: 80, rows: 24 })
      // What a restore does to a running VM between its power-off and the swap: stopped, renamed aside.
      await vm.stop()
      expect((await sim.run(['rename', name, `${name}.restore-old`])).exitCode).toBe(0)
      await expect.poll(() => states.some((e) => e.message?.includes('is not there right now')), { timeout: 30_000 }).toBe(true)
      expect(states.some((e) => e.state === 'closed')).toBe(false)
      // The swap done and the VM started again: the tab is back.
      expect((await sim.run(['rename', `${name}.restore-old`, name])).exitCode).toBe(0)
      vm = sim.startVm(name)
      await sim.waitForIp(vm)
      await expect.poll(() => states.at(-1)?.state, { timeout: 60_000 }).toBe('connected')
      await engine.handlers['terminal:close']({ id: s.id, mode: 'end' })
    } finally {
      off()
      await vm.stop().catch(() => undefined)
    }
  }, 120_000)

  it('a tab whose VM was stopped says so, offers no typing promise and drops what is typed, then reattaches when it starts', async () => {
    const name = 'eng-stopped'
    let vm = await sim.bootVm(name)
    const states: EventPayload<'terminal:state'>[] = []
    const data: string[] = []
    const offStates = engine.events.on('terminal:state', (e) => states.push(e))
    const offData = engine.events.on('terminal:data', (d) => data.push(Buffer.from(d.data).toString('utf8')))
    try {
      const s = await engine.handlers['terminal:open']({ vm: name, kind: 'shell', name: 'stopped', cols: 80, rows: 24 })
      await vm.stop()
      await expect.poll(() => states.findLast((e) => e.id === s.id)?.reconnect?.vmStopped, { timeout: 30_000 }).toBe(true)
      const stopped = states.findLast((e) => e.id === s.id)!
      expect(stopped).toMatchObject({ state: 'reconnecting', reconnect: { keepsTyping: false, vmStopped: true } })
      expect(stopped.message).toBe(`${name} is stopped: start it and this tab reattaches (a new tmux session, if the VM shut down).`)
      // Typed for a session that the stop ended: never sent to the new one.
      engine.sends['terminal:input']({ id: s.id, data: 'echo typed-while-$((6*7))\r' })
      vm = sim.startVm(name)
      await sim.waitForIp(vm)
      await expect.poll(() => states.findLast((e) => e.id === s.id)?.state, { timeout: 60_000 }).toBe('connected')
      engine.sends['terminal:input']({ id: s.id, data: 'echo after-$((6*7))\r' })
      await expect.poll(() => data.join('').includes('after-42'), { timeout: 15_000 }).toBe(true)
      expect(data.join('')).not.toContain('typed-while-42')
      await engine.handlers['terminal:close']({ id: s.id, mode: 'end' })
    } finally {
      offStates()
      offData()
      await vm.stop().catch(() => undefined)
    }
  }, 120_000)
})
