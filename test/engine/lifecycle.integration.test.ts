// Against the simulated Tart host: real guests (OpenSSH), real files on their disks, real git.
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SshPool } from '../../src/core/ssh/pool'
import { withVmLock } from '../../src/core/vms/vm-lock'
import { createSimHost, DEFAULT_IMAGE, type SimHost } from '../sim/harness'
import { createSimEngine, stopEverything, type SimEngine } from './sim-engine'

const isRoot = process.getuid?.() === 0
const T = 90_000

describe.skipIf(!isRoot)('VM lifecycle and snapshots on the simulated host', () => {
  let host: SimHost
  let eng: SimEngine

  beforeAll(async () => {
    host = await createSimHost()
    eng = await createSimEngine(host)
  })
  afterAll(async () => {
    if (host) await stopEverything(host)
    await host?.cleanup()
    await eng?.dispose()
  })

  it('creates a VM from the base image: pull with progress, clone, set resources, new MAC and serial', async () => {
    const { done, taskId } = eng.svc.create({ name: 'dev' })
    await done
    const task = eng.tasks.filter((t) => t.id === taskId).at(-1)!
    expect(task.state).toBe('succeeded')
    expect(task.steps.map((s) => s.state)).toEqual(['done', 'done', 'done'])
    expect(eng.tasks.some((t) => t.id === taskId && t.percent !== null && t.percent > 0 && t.percent < 100)).toBe(true)
    const vm = await eng.svc.get('dev')
    expect(vm).toMatchObject({ name: 'dev', state: 'stopped', role: 'workspace', cpu: 4, memoryMb: 8192, diskGb: 80, baseImage: 'ghcr.io/cirruslabs/macos-sequoia-base:latest' })
    const cfg = JSON.parse(await readFile(join(host.vmPath('dev'), 'config.json'), 'utf8'))
    const image = JSON.parse((await host.run(['list', '--format', 'json', '--source', 'oci'])).stdout)[0]
    expect(image).toBeDefined()
    expect(cfg.macAddress).toMatch(/^[0-9a-f:]{17}$/)
  }, T)

  it('never replaces an existing VM on create', async () => {
    await expect(eng.svc.create({ name: 'dev' }).done).rejects.toMatchObject({ code: 'VM_EXISTS' })
    // macOS's disks ignore case: "DEV" is the same folder as "dev".
    await expect(eng.svc.create({ name: 'DEV' }).done).rejects.toMatchObject({
      code: 'VM_EXISTS',
      message: 'A VM named "dev" already exists, and names that differ only in case are the same VM on macOS.',
    })
  })

  it('starts headless and detached, waits for IP and SSH, reporting each step', async () => {
    eng.settings.outputFolder = join(eng.calHome, 'cal-output')
    const { done, taskId } = eng.svc.start('dev')
    await done
    const task = eng.tasks.filter((t) => t.id === taskId).at(-1)!
    expect(task.steps.map((s) => [s.id, s.state])).toEqual([['check', 'done'], ['boot', 'done'], ['ip', 'done'], ['ssh', 'done']])
    expect(task.log.join('\n')).toContain(`sharing ${join(eng.calHome, 'cal-output', 'dev')} with the VM`)
    expect(existsSync(join(eng.calHome, 'cal-output', 'dev'))).toBe(true)
    eng.settings.outputFolder = ''
    const vm = await eng.svc.get('dev')
    expect(vm.state).toBe('running')
    expect(vm.ip).toMatch(/^127\.0\.64\./)
    expect(existsSync(join(eng.calHome, 'run', 'dev.json'))).toBe(true)
    expect(existsSync(join(eng.calHome, 'logs', 'dev.log'))).toBe(true)
    expect(eng.vmEmits.some((l) => l.find((v) => v.name === 'dev')?.state === 'starting')).toBe(true)
    // The SSH command the app copies works as pasted into a shell: CAL's key, its pinned host key, nothing of the user's.
    const { command } = await eng.handlers['vms:sshCommand']({ name: 'dev' })
    expect(command).toMatch(/^ssh -F \/dev\/null .*-- admin@127\.0\.64\.\d+$/)
    for (const option of ['StrictHostKeyChecking=yes', 'ForwardAgent=no', 'IdentitiesOnly=yes']) expect(command).toContain(` -o ${option} `)
    // The app's first connection pins the host key and installs CAL's key.
    const pool = new SshPool({ calHome: eng.calHome, resolveTarget: (n) => eng.svc.sshTarget(n), credentials: () => ({ user: 'admin', password: 'admin', unlockKeychain: false }) })
    await pool.connect('dev').finally(() => pool.dispose())
    const pasted = await execa('sh', ['-c', `${command.replace(' -- ', ' -o BatchMode=yes -- ')} 'echo reached-$((6*7))'`], { reject: false })
    expect(pasted.stdout.trim(), pasted.stderr).toBe('reached-42')
    await expect(eng.svc.start('dev').done).rejects.toMatchObject({ code: 'VM_ALREADY_RUNNING' })
    // A start ended before it recorded the address (killed while it waited for one) leaves none in the record:
    // the address is asked of Tart again, rather than "no IP address yet" for as long as the VM runs.
    const record = join(eng.calHome, 'run', 'dev.json')
    await writeFile(record, JSON.stringify({ ...JSON.parse(await readFile(record, 'utf8')), ip: null }))
    expect((await eng.svc.get('dev')).ip).toBe(vm.ip)
  }, T)

  it('snapshot of a running VM keeps the session; restore brings a deleted file back', async () => {
    const r1 = await eng.exec('dev', 'mkdir -p ~/notes && echo precious > ~/notes/file.txt && cat ~/notes/file.txt')
    expect(r1.stdout.trim()).toBe('precious')
    const { done, taskId } = eng.svc.createSnapshot('dev', 'before', 'manual')
    const snap = await done
    expect(snap).toMatchObject({ name: 'before', vm: 'dev', kind: 'manual', tartName: 'dev.snap.before' })
    const steps = eng.tasks.filter((t) => t.id === taskId).at(-1)!.steps
    expect(steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done'])
    expect((await eng.svc.get('dev')).state).toBe('running')
    expect((await eng.svc.listSnapshots('dev')).map((s) => s.name)).toEqual(['before'])
    // Snapshot clones are not workspaces.
    expect((await eng.svc.list()).map((v) => v.name)).toEqual(['dev'])

    await eng.exec('dev', 'rm ~/notes/file.txt')
    expect((await eng.exec('dev', 'test -e ~/notes/file.txt')).code).not.toBe(0)
    const from = eng.vmEmits.length
    const started = await eng.svc.restoreSnapshot('dev', 'before', false)
    await started.done
    expect((await eng.svc.get('dev')).state).toBe('running')
    // The list follows what the restore does to the VM: stopped for the swap, started again.
    const shown = statesOf(eng.vmEmits.slice(from), 'dev')
    expect(shown.indexOf('stopping')).toBeGreaterThanOrEqual(0)
    expect(shown.indexOf('starting')).toBeGreaterThan(shown.indexOf('stopping'))
    expect((await eng.exec('dev', 'cat ~/notes/file.txt')).stdout.trim()).toBe('precious')
    // The scratch VMs are gone.
    const names = JSON.parse((await host.run(['list', '--format', 'json', '--source', 'local'])).stdout).map((e: { Name: string }) => e.Name)
    expect(names.sort()).toEqual(['dev', 'dev.snap.before'])
  }, T)

  it('refuses a restore while a repo has unpushed work, and proceeds once confirmed', async () => {
    const script = [
      'set -e',
      'mkdir -p ~/workspace/app && cd ~/workspace/app',
      'git init -q -b main . && git -c user.name=a -c user.email=a@b commit -q --allow-empty -m one',
      'git init -q --bare ~/remote.git && git remote add origin ~/remote.git && git push -q -u origin main',
      // A remote inside the VM would be no push at all (git-check.test.ts): origin stands for one elsewhere.
      'git remote set-url origin git@git.example:me/app.git',
      'git -c user.name=a -c user.email=a@b commit -q --allow-empty -m unpushed',
    ].join('\n')
    expect((await eng.exec('dev', `sh -c '${script}'`)).code).toBe(0)
    const report = await eng.svc.checkGit('dev')
    expect(report.clean).toBe(false)
    expect(report.repos.find((r) => r.path.endsWith('/workspace/app'))).toMatchObject({ unpushed: 1 })
    const err = await eng.svc.restoreSnapshot('dev', 'before', false).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'GIT_RISK' })
    expect((err as { details: { report: { clean: boolean } } }).details.report.clean).toBe(false)
    expect((await eng.exec('dev', 'test -d ~/workspace/app')).code).toBe(0)

    // The CLI without a TTY and without --yes refuses, with the risk on stderr and exit code 6.
    const cli = await eng.cal(['snapshot', 'restore', 'dev', 'before'])
    expect(cli.code).toBe(6)
    expect(cli.stderr).toContain('error: ')
    expect(cli.stderr).toContain('1 commit not pushed')
    expect(cli.stderr).toContain('--yes')
  }, T)

  it('a restore whose clone fails half-way leaves the working VM intact', async () => {
    await host.setFaults('dev.snap.before', { clone_fail: true })
    const started = await eng.svc.restoreSnapshot('dev', 'before', true)
    const err = await started.done.catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'TART_FAILED', details: expect.objectContaining({ workingVmIntact: true }) })
    expect((err as Error).message).toContain('was not touched')
    const vm = await eng.svc.get('dev')
    expect(vm.state).toBe('running')
    expect((await eng.exec('dev', 'test -d ~/workspace/app')).code).toBe(0)
    await host.setFaults('dev.snap.before', {})
  }, T)

  it('stops cleanly (guest asked to shut down), then reports VM_NOT_RUNNING', async () => {
    const { done, taskId } = eng.svc.stop('dev')
    await done
    const task = eng.tasks.filter((t) => t.id === taskId).at(-1)!
    expect(task.log.join('\n')).toContain('asked the guest OS to shut down')
    expect(task.steps.find((s) => s.id === 'poweroff')?.state).toBe('skipped')
    expect((await eng.svc.get('dev')).state).toBe('stopped')
    expect(existsSync(join(eng.calHome, 'run', 'dev.json'))).toBe(false)
    // A second stop says what is so, not "start it first" (the VM stopped as asked, by whoever came first).
    await expect(eng.svc.stop('dev').done).rejects.toMatchObject({ code: 'VM_NOT_RUNNING', message: 'The VM "dev" is already stopped.', details: { state: 'stopped' } })
    // cal stop says so and exits 0: a script stopping a stopped VM needs no `|| true`.
    expect(await eng.cal(['stop', 'dev'])).toMatchObject({ code: 0, stdout: 'dev is already stopped.\n' })
  }, T)

  it('a VM parked mid-swap by a restore is still listed under its own name, so a window keeps it selected', async () => {
    await host.run(['rename', 'dev', 'dev.restore-old'])
    try {
      // While the restore is at work (it holds the VM's lock), as it is.
      await withVmLock(eng.svc.ctx.facts.paths.run, 'dev', 'Restore dev', async () => {
        expect((await eng.svc.list()).map((v) => [v.name, v.state])).toEqual([['dev', 'stopped']])
        expect(await eng.svc.get('dev')).toMatchObject({ name: 'dev', state: 'stopped', role: 'workspace', error: null })
      })
      // With no restore at work, one could not finish: said so.
      expect(await eng.svc.get('dev')).toMatchObject({ name: 'dev', state: 'error', error: expect.stringContaining('A restore could not finish') })
    } finally {
      await host.run(['rename', 'dev.restore-old', 'dev'])
    }
    expect((await eng.svc.list()).map((v) => v.name)).toEqual(['dev'])
  }, T)

  it('restore of a stopped VM needs confirmation (it cannot be checked); it comes back as the snapshot was', async () => {
    await expect(eng.svc.restoreSnapshot('dev', 'before', false)).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' })
    const from = eng.vmEmits.length
    await (await eng.svc.restoreSnapshot('dev', 'before', true)).done
    // It never runs meanwhile: never shown as stopping or starting (it showed "Stopping" throughout).
    expect(statesOf(eng.vmEmits.slice(from), 'dev')).not.toEqual(expect.arrayContaining(['stopping']))
    expect(statesOf(eng.vmEmits.slice(from), 'dev')).not.toEqual(expect.arrayContaining(['starting']))
    // "before" was taken from a running VM by suspending it, so it holds the saved memory state: not started, resumable.
    expect((await eng.svc.get('dev')).state).toBe('suspended')
    // The snapshot predates the repo.
    expect(existsSync(join(host.guestHome('dev'), 'workspace', 'app'))).toBe(false)
    expect(await readFile(join(host.guestHome('dev'), 'notes', 'file.txt'), 'utf8')).toBe('precious\n')
  }, T)

  it('session snapshots, rollback and retention', async () => {
    eng.settings.snapshots.keep = 2
    await writeFile(join(host.guestHome('dev'), 'marker'), 'one')
    const s1 = await eng.svc.takeSessionSnapshot('dev')
    expect(s1.kind).toBe('session')
    await new Promise((r) => setTimeout(r, 1100))
    await writeFile(join(host.guestHome('dev'), 'marker'), 'two')
    await eng.svc.takeSessionSnapshot('dev')
    await new Promise((r) => setTimeout(r, 1100))
    await eng.svc.takeSessionSnapshot('dev')
    const snaps = await eng.svc.listSnapshots('dev')
    expect(snaps.filter((s) => s.kind === 'session')).toHaveLength(2)
    expect(snaps.some((s) => s.name === s1.name)).toBe(false)
    expect(snaps.some((s) => s.name === 'before')).toBe(true)
    expect((await eng.svc.get('dev')).lastSessionSnapshotAt).not.toBeNull()

    await writeFile(join(host.guestHome('dev'), 'marker'), 'three')
    const rollback = await eng.svc.rollback('dev', true)
    await rollback.done
    expect(await readFile(join(host.guestHome('dev'), 'marker'), 'utf8')).toBe('two')
    // Its progress reads as a restore's, in words, not step ids.
    const steps = eng.tasks.filter((t) => t.id === rollback.taskId).at(-1)!.steps
    expect(steps.map((s) => s.label)).toEqual(['Check the session-start snapshot', 'Clone the snapshot to a temporary VM', 'Replace the working VM', 'Delete the old VM', 'Start it again'])
  }, T)

  it('disk usage counts the VM and its snapshots', async () => {
    const u = await eng.svc.diskUsage()
    expect(u.vms).toEqual([expect.objectContaining({ name: 'dev', snapshotCount: 3, leftoverGb: 0 })])
    expect(u.freeGb).toBeGreaterThan(0)
    // A restore's copy from before it, left when its deletion failed: hidden from the VM list, counted here.
    if ((await eng.svc.get('dev')).state === 'running') await eng.svc.stop('dev').done
    expect((await host.run(['clone', 'dev', 'dev.restore-old'])).exitCode).toBe(0)
    // 2 GB allocated in it (Tart's Size counts allocated blocks; the simulated disks are sparse).
    await execa('fallocate', ['-l', '2100M', join(host.vmPath('dev.restore-old'), 'disk.img')])
    try {
      const left = await eng.svc.diskUsage()
      const dev = left.vms.find((v) => v.name === 'dev')!
      expect(left.vms.map((v) => v.name)).toEqual(['dev'])
      expect(dev.leftoverGb).toBe(2)
      expect(left.totalGb).toBeCloseTo(u.totalGb + 2)
      const cli = await eng.cal(['disk-usage'])
      expect(cli.stdout).toContain("dev: 2 GB left by a restore (its copy from before it, or a clone under way); dev's next restore removes it.")
    } finally {
      await host.run(['delete', 'dev.restore-old'])
    }
  }, T)

  it('suspend and resume', async () => {
    await eng.svc.start('dev').done
    await eng.exec('dev', 'echo alive > ~/resume.txt')
    await eng.svc.suspend('dev').done
    expect((await eng.svc.get('dev')).state).toBe('suspended')
    await expect(eng.svc.stop('dev').done).rejects.toMatchObject({ code: 'VM_NOT_RUNNING' })
    await eng.svc.start('dev').done
    expect((await eng.svc.get('dev')).state).toBe('running')
    expect((await eng.exec('dev', 'cat ~/resume.txt')).stdout.trim()).toBe('alive')
  }, T)

  it('restart, then force stop; a stop asked during the restart says that it waits for it', async () => {
    const restart = eng.svc.restart('dev')
    const queued = eng.svc.stop('dev', true)
    await restart.done
    expect(eng.tasks.filter((t) => t.id === restart.taskId).at(-1)!.state).toBe('succeeded')
    await queued.done
    const log = eng.tasks.filter((t) => t.id === queued.taskId).at(-1)!.log
    expect(log[0]).toMatch(/^Waits until ".*dev" has finished, then goes ahead\.$/)
    expect((await eng.svc.get('dev')).state).toBe('stopped')
  }, T)

  it('a session snapshot of a VM made outside CAL does not give it a creation time', async () => {
    expect((await host.run(['clone', DEFAULT_IMAGE, 'made-outside'])).exitCode).toBe(0)
    await eng.svc.takeSessionSnapshot('made-outside')
    const info = await eng.svc.get('made-outside')
    expect(info.lastSessionSnapshotAt).not.toBeNull()
    // CAL first heard of it at the snapshot: "Created" stays unknown rather than showing the snapshot's time.
    expect(info.createdAt).toBeNull()
    await (await eng.svc.delete('made-outside', false, true)).done
  }, T)

  it('deletes snapshots, protects cal-clean, deletes a VM with its snapshots', async () => {
    await eng.svc.deleteSnapshot('dev', 'before').done
    expect((await eng.svc.listSnapshots('dev')).some((s) => s.name === 'before')).toBe(false)
    await eng.svc.create({ name: 'cal-clean' }).done
    await expect(eng.svc.delete('cal-clean', false, true).then((s) => s.done)).rejects.toMatchObject({ code: 'VM_PROTECTED' })
    await (await eng.svc.delete('cal-clean', true, true)).done
    // A delete cut short after Tart deleted the VM itself (cal killed) left its snapshots: a second delete finishes it.
    await eng.svc.takeSessionSnapshot('dev')
    const left = (await eng.svc.listSnapshots('dev')).length
    expect(left).toBeGreaterThan(0)
    expect((await host.run(['delete', 'dev'])).exitCode).toBe(0)
    const again = await eng.svc.delete('dev', false, false)
    await again.done
    const log = eng.tasks.filter((t) => t.id === again.taskId).at(-1)!.log
    expect(log[0]).toBe('dev itself was deleted already: deleting what an interrupted delete left of it')
    expect(log.filter((l) => l.startsWith('deleted snapshot '))).toHaveLength(left)
    const names = JSON.parse((await host.run(['list', '--format', 'json', '--source', 'local'])).stdout)
    expect(names).toEqual([])
    // Then it is simply not there.
    await expect(eng.svc.delete('dev', false, true).then((s) => s.done)).rejects.toMatchObject({ code: 'VM_NOT_FOUND' })
  }, T)
})

/** The states a VM was shown in, in order, each run of the same state once. */
function statesOf(emits: { name: string; state: string }[][], vm: string): string[] {
  const states = emits.map((l) => l.find((v) => v.name === vm)?.state).filter((s): s is string => !!s)
  return states.filter((s, i) => s !== states[i - 1])
}
