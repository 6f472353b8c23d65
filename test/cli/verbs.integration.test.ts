// Every `cal` verb against the simulated host, through the same engine handlers the app uses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimHost, type SimHost } from '../sim/harness'
import { createSimEngine, stopEverything, type SimEngine } from '../engine/sim-engine'

const isRoot = process.getuid?.() === 0
const T = 90_000

describe.skipIf(!isRoot)('cal verbs on the simulated host', () => {
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

  it('create, list, status', async () => {
    const c = await eng.cal(['create', 'w1', '--cpu', '6', '--memory', '12288', '--disk', '100'])
    expect(c.code).toBe(0)
    expect(c.stdout).toContain('Created w1')
    expect(c.stderr).toContain('→ Clone the image')
    const l = await eng.cal(['list', '--json'])
    expect(JSON.parse(l.stdout)).toEqual([expect.objectContaining({ name: 'w1', cpu: 6, memoryMb: 12288, diskGb: 100, state: 'stopped' })])
    expect((await eng.cal(['list'])).stdout).toMatch(/^NAME\s+STATE/)
    const s = await eng.cal(['status', 'w1', '--json'])
    expect(JSON.parse(s.stdout)).toMatchObject({ name: 'w1', role: 'workspace' })
    const st = await eng.cal(['status', '--json', '--tart', host.tartPath])
    expect(JSON.parse(st.stdout)).toMatchObject({ tartFound: true, tartVersion: '2.32.1', runningMacVms: 0 })
    expect((await eng.cal(['create', 'bad name'])).code).toBe(2)
    expect((await eng.cal(['status', 'nope'])).code).toBe(3)
    // A local source that does not exist is said as such, not as "the VM does not exist" about the new one.
    const noSource = await eng.cal(['create', 'w9', '--image', 'nosuch'])
    expect(noSource.code).toBe(3)
    expect(noSource.stderr).toContain('error: There is no VM named "nosuch" on this Mac to create w9 from.')
    expect((await eng.cal(['list', '--json'])).stdout).not.toContain('w9')
  }, T)

  it('start, check, snapshot create/list, restore, rollback refusal, disk-usage', async () => {
    const s = await eng.cal(['start', 'w1'])
    expect(s.code).toBe(0)
    expect(s.stdout).toMatch(/w1 is running at 127\.0\.64\.\d+; SSH is ready/)
    expect(s.stderr).toContain('→ Wait for SSH')

    // A copy of a running VM's disk is not consistent: refused, nothing made; a stopped one is copied (below).
    const copy = await eng.cal(['create', 'w1-copy', '--image', 'w1'])
    expect(copy.code).toBe(4)
    expect(copy.stderr).toContain('error: "w1" is running: a copy of a running VM\'s disk is not consistent, so w1-copy was not created from it.')
    expect(copy.stderr).toContain('hint: Stop it first (`cal stop w1`), then create w1-copy again.')
    expect((await eng.cal(['list', '--json'])).stdout).not.toContain('w1-copy')

    const clean = await eng.cal(['check', 'w1'])
    expect(clean.code).toBe(0)
    expect(clean.stdout).toContain('nothing would be lost')

    const snap = await eng.cal(['snapshot', 'create', 'w1', 'base', '--json'])
    expect(snap.code).toBe(0)
    expect(JSON.parse(snap.stdout).snapshot).toMatchObject({ name: 'base', kind: 'manual' })
    const list = await eng.cal(['snapshot', 'list', 'w1'])
    expect(list.stdout).toMatch(/^NAME\s+KIND\s+CREATED\s+SIZE\nbase\s+manual/)

    await eng.exec('w1', "sh -c 'mkdir -p ~/code/x && cd ~/code/x && git init -q && echo hi > f'")
    const risky = await eng.cal(['check', 'w1', '--json'])
    expect(risky.code).toBe(6)
    expect(JSON.parse(risky.stdout).repos[0]).toMatchObject({ untracked: 1 })
    // As text: the work at risk as a list, then where the scan looked, not as one of the items.
    const riskyText = (await eng.cal(['check', 'w1'])).stdout
    expect(riskyText).toMatch(/^w1: work that exists only in this VM:\n {2}- .*1 untracked file\n\(checked /)
    expect(riskyText).not.toMatch(/^ {2}- checked /m)

    // No TTY, no --yes: refused. A TTY answering "no": refused, nothing changed. --yes: restored.
    expect((await eng.cal(['snapshot', 'restore', 'w1', 'base'])).code).toBe(6)
    const declined = await eng.cal(['snapshot', 'restore', 'w1', 'base'], { isTTY: true, answer: false })
    expect(declined.code).toBe(130)
    expect(declined.stderr).toContain('warning: ')
    const yes = await eng.cal(['snapshot', 'restore', 'w1', 'base', '--yes'])
    expect(yes.code).toBe(0)
    expect((await eng.exec('w1', 'test -d ~/code/x')).code).not.toBe(0)

    const rb = await eng.cal(['rollback', 'w1', '--yes'])
    expect(rb.code).toBe(3)
    expect(rb.stderr).toContain('no session-start snapshot')

    const du = await eng.cal(['disk-usage', '--json'])
    expect(JSON.parse(du.stdout).vms).toEqual([expect.objectContaining({ name: 'w1', snapshotCount: 1 })])
    expect((await eng.cal(['disk-usage'])).stdout).toContain('Total')
  }, T)

  it('stop and restart ask first on a terminal while a program runs in the VM; --yes does not ask, scripts need it', async () => {
    await eng.cal(['start', 'w1'])
    expect((await eng.exec('w1', "tmux new-session -d -s busy 'sleep 600'")).code).toBe(0)
    // A session made by hand, with a name CAL would not choose, counts too.
    expect((await eng.exec('w1', "tmux new-session -d -s 'my sess' 'sleep 601'")).code).toBe(0)
    const no = await eng.cal(['stop', 'w1'], { isTTY: true, answer: false })
    expect(no.code).not.toBe(0)
    expect(no.stderr).toContain('warning: Stop w1? 2 programs are still running in it.')
    expect(no.stderr).toContain('  - busy: sleep')
    expect(no.stderr).toContain('  - my sess: sleep')
    expect(no.stderr).toContain('w1 was left running')
    expect((await eng.svc.get('w1')).state).toBe('running')
    const restart = await eng.cal(['restart', 'w1'], { isTTY: true, answer: true })
    expect(restart.code).toBe(0)
    expect(restart.stderr).toContain('warning: Restart w1?')
    // tmux did not survive the restart: nothing runs, nothing to ask.
    expect((await eng.cal(['stop', 'w1'], { isTTY: true, answer: false })).code).toBe(0)
    await eng.cal(['start', 'w1'])
    expect((await eng.exec('w1', "tmux new-session -d -s busy 'sleep 600'")).code).toBe(0)
    expect((await eng.cal(['--yes', 'stop', 'w1'], { isTTY: true, answer: false })).code).toBe(0)
    await eng.cal(['start', 'w1'])
    expect((await eng.exec('w1', "tmux new-session -d -s busy 'sleep 600'")).code).toBe(0)
    // A script without --yes is refused, as a delete is, and the program goes on.
    const script = await eng.cal(['stop', 'w1'])
    expect(script.code).toBe(6)
    expect(script.stderr).toContain('error: Stopping w1 would end the program still running in it:\n  - busy: sleep\n')
    expect(script.stderr).not.toContain('Stop w1?')
    expect((await eng.exec('w1', 'tmux has-session -t busy')).code).toBe(0)
    expect((await eng.cal(['stop', 'w1', '--yes'])).code).toBe(0)
    await eng.cal(['start', 'w1'])
  }, T)

  it('snapshot create asks first on a terminal when it has to shut down a VM in which a program runs', async () => {
    // Started outside CAL: CAL cannot suspend it, so a snapshot shuts it down and starts it again.
    const outside = await host.bootVm('o1')
    try {
      expect(await eng.handlers['vms:get']({ name: 'o1' })).toMatchObject({ state: 'running', suspendable: false })
      expect(await eng.handlers['vms:get']({ name: 'w1' })).toMatchObject({ state: 'running', suspendable: true })
      expect((await eng.exec('o1', "tmux new-session -d -s busy 'sleep 600'")).code).toBe(0)
      const no = await eng.cal(['snapshot', 'create', 'o1', 's1'], { isTTY: true, answer: false })
      expect(no.code).toBe(130)
      expect(no.stderr).toContain('warning: Snapshot o1? A program is still running in it.')
      expect(no.stderr).toContain('  - busy: sleep')
      expect(no.stderr).toContain('so the snapshot shuts it down cleanly and starts it again')
      expect(no.stderr).toContain('No snapshot was taken: o1 was left running')
      // A "no" is the user's choice, not an error.
      expect(no.stderr).not.toContain('error:')
      expect(await eng.handlers['snapshots:list']({ vm: 'o1' })).toEqual([])
      expect((await eng.exec('o1', 'tmux has-session -t busy')).code).toBe(0)
      // cal run says what its session snapshot will do to such a VM before it asks.
      const run = await eng.cal(['run', 'o1'], { isTTY: true, answer: false })
      expect(run.stderr).toContain('Snapshot:    a session snapshot first: CAL cannot suspend this VM, so it shuts it down')
      expect(run.stderr).toContain('Not launched.')
      // A VM CAL started is suspended for a snapshot, its programs kept (on a Mac; the simulator's guests boot afresh):
      // nothing to ask.
      expect((await eng.exec('w1', "tmux new-session -d -s busy2 'sleep 600'")).code).toBe(0)
      const kept = await eng.cal(['snapshot', 'create', 'w1', 's2'], { isTTY: true, answer: false })
      expect(kept.code).toBe(0)
      expect(kept.stderr).not.toContain('warning:')
      expect((await eng.cal(['snapshot', 'delete', 'w1', 's2', '--yes'])).code).toBe(0)
    } finally {
      await outside.stop().catch(() => {})
      await host.run(['delete', 'o1'])
    }
  }, T)

  it('suspend, start (resume), restart, stop, stop --force', async () => {
    expect((await eng.cal(['suspend', 'w1'])).code).toBe(0)
    expect((await eng.cal(['stop', 'w1'])).code).toBe(4)
    expect((await eng.cal(['start', 'w1'])).code).toBe(0)
    expect((await eng.cal(['restart', 'w1'])).code).toBe(0)
    const stop = await eng.cal(['stop', 'w1', '--json'])
    expect(stop.code).toBe(0)
    expect(JSON.parse(stop.stdout).vm).toMatchObject({ state: 'stopped' })
    await eng.cal(['start', 'w1'])
    expect((await eng.cal(['stop', 'w1', '--force'])).code).toBe(0)
    const copy = await eng.cal(['create', 'w1-copy', '--image', 'w1'])
    expect(copy.code, copy.stderr).toBe(0)
    expect(copy.stderr).toContain('cloning the local VM w1')
    expect((await eng.cal(['delete', 'w1-copy', '--yes'])).code).toBe(0)
  }, T)

  it('run launches the agent after a session snapshot, once, and leaves it running for cal ssh', async () => {
    expect((await eng.cal(['create', 'r1'])).code).toBe(0)
    const stopped = await eng.cal(['run', 'r1'])
    expect(stopped.code).toBe(4)
    expect(stopped.stderr).toContain('cal start r1')
    expect((await eng.cal(['start', 'r1'])).code).toBe(0)
    expect((await eng.cal(['run', 'r1', '--backup', '--no-snapshot'])).code).toBe(2)
    expect((await eng.cal(['run', 'r1', '--agent', 'nope'])).code).toBe(2)
    const sessionSnapshots = async () => JSON.parse((await eng.cal(['snapshot', 'list', 'r1', '--json'])).stdout).filter((s: { kind: string }) => s.kind === 'session').length
    const run = await eng.cal(['run', 'r1', '--agent', 'opencode'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain('Agent:       opencode')
    expect(run.stderr).toContain('Snapshot:    a session snapshot first')
    expect(run.stderr).toContain('→ Clone the disk')
    expect(run.stdout).toBe('opencode runs in r1\'s tmux session "cal-agent". Attach it with `cal ssh r1`.\n')
    expect(await sessionSnapshots()).toBe(1)
    const pane = async () => (await eng.exec('r1', "tmux capture-pane -p -t '=cal-agent:'")).stdout
    await expect.poll(pane, { timeout: 15_000 }).toContain('opencode (tart-sim stand-in)')
    // Again while it runs: no second snapshot, no second agent, and the facts say so.
    const again = await eng.cal(['run', 'r1', '--agent', 'opencode'])
    expect(again.code).toBe(0)
    expect(again.stderr).toContain("Running:     ")
    expect(again.stderr).toContain('Snapshot:    none (the agent already runs)')
    expect(await sessionSnapshots()).toBe(1)
    expect((await pane()).match(/opencode \(tart-sim stand-in\)/g)).toHaveLength(1)
    expect((await eng.cal(['delete', 'r1', '--yes', '--force'])).code).toBe(0)
  }, T)

  it('snapshot delete, rollback to a session snapshot, delete, doctor', async () => {
    await eng.svc.takeSessionSnapshot('w1')
    expect((await eng.cal(['rollback', 'w1', '--yes'])).code).toBe(0)
    // Without a terminal, as on one, a snapshot is deleted only when told to (--yes).
    expect((await eng.cal(['snapshot', 'delete', 'w1', 'base'])).code).toBe(6)
    expect((await eng.cal(['snapshot', 'delete', 'w1', 'base', '--yes'])).code).toBe(0)
    expect((await eng.cal(['snapshot', 'delete', 'w1', 'base'])).code).toBe(3)
    // Copy and record out of step (a snapshot or a delete cut short between its two steps, or Tart used by hand):
    // neither hides a snapshot for good. A record whose copy is gone no longer blocks its name, nor its delete.
    const tartNames = async () => (JSON.parse((await host.run(['list', '--format', 'json', '--source', 'local'])).stdout) as { Name: string }[]).map((e) => e.Name)
    expect((await eng.cal(['snapshot', 'create', 'w1', 'gone1'])).code).toBe(0)
    expect((await host.run(['delete', 'w1.snap.gone1'])).exitCode).toBe(0)
    const retaken = await eng.cal(['snapshot', 'create', 'w1', 'gone1'])
    expect(retaken.code, retaken.stderr).toBe(0)
    expect(await tartNames()).toContain('w1.snap.gone1')
    expect((await host.run(['delete', 'w1.snap.gone1'])).exitCode).toBe(0)
    const dropped = await eng.cal(['snapshot', 'delete', 'w1', 'gone1', '--yes'])
    expect(dropped.code, dropped.stderr).toBe(0)
    expect((await eng.cal(['snapshot', 'delete', 'w1', 'gone1', '--yes'])).code).toBe(3)
    // A copy without CAL's record is replaced by a snapshot of that name, and can be deleted.
    expect((await host.run(['clone', 'w1', 'w1.snap.norec'])).exitCode).toBe(0)
    expect((await eng.cal(['snapshot', 'create', 'w1', 'norec'])).code).toBe(0)
    expect(JSON.parse((await eng.cal(['snapshot', 'list', 'w1', '--json'])).stdout).map((x: { name: string }) => x.name)).toContain('norec')
    expect((await host.run(['clone', 'w1', 'w1.snap.norec2'])).exitCode).toBe(0)
    const unrecorded = await eng.cal(['snapshot', 'delete', 'w1', 'norec2', '--yes'])
    expect(unrecorded.code, unrecorded.stderr).toBe(0)
    expect(await tartNames()).not.toContain('w1.snap.norec2')
    // A copy another workspace owns ("w1.snap" + "x" is also "w1" + "snap.x") is left alone.
    expect((await host.run(['clone', 'w1', 'w1.snap'])).exitCode).toBe(0)
    expect((await host.run(['clone', 'w1', 'w1.snap.snap.x'])).exitCode).toBe(0)
    expect((await eng.cal(['snapshot', 'delete', 'w1', 'snap.x', '--yes'])).code).toBe(3)
    expect((await eng.cal(['snapshot', 'create', 'w1', 'snap.x'])).code).toBe(4)
    expect(await tartNames()).toContain('w1.snap.snap.x')
    for (const n of ['w1.snap.snap.x', 'w1.snap']) expect((await host.run(['delete', n])).exitCode).toBe(0)

    // A delete cut short after Tart deleted the VM itself (cal killed) leaves its snapshots: list and disk-usage say
    // so, with the verb that finishes it, rather than leaving them to take disk unseen.
    const left = (await eng.svc.listSnapshots('w1')).length
    expect(left).toBeGreaterThan(0)
    expect((await host.run(['delete', 'w1'])).exitCode).toBe(0)
    const what = left === 1 ? '1 snapshot of it \\(\\d+ GB\\) is' : `${left} snapshots of it \\(\\d+ GB\\) are`
    const note = new RegExp(`^w1 was deleted, but the delete was cut short: ${what} left\\. Run \`cal delete w1\` to finish\\.$`, 'm')
    const listed = await eng.cal(['list'])
    expect(listed.stdout).toContain('No VMs yet.')
    expect(listed.stdout).toMatch(note)
    expect(JSON.parse((await eng.cal(['list', '--json'])).stdout)).toEqual([])
    const usage = await eng.cal(['disk-usage'])
    expect(usage.stdout).toMatch(/^w1\s+deleted\s+/m)
    expect(usage.stdout).toMatch(note)
    expect(JSON.parse((await eng.cal(['disk-usage', '--json'])).stdout).vms).toEqual([expect.objectContaining({ name: 'w1', deleted: true, snapshotCount: left })])
    expect((await eng.cal(['disk-usage', 'w1'])).stdout).toMatch(/^w1\s+VM \(deleted\)/m)
    // A new w1 would take them for its own (and a restore of one would bring the deleted VM back): refused until done.
    const reused = await eng.cal(['create', 'w1'])
    expect(reused.code).toBe(4)
    expect(reused.stderr).toContain('error: "w1" was deleted, but the delete was cut short:')
    expect(reused.stderr).toContain('hint: Finish that delete first (`cal delete w1`), or pick another name.')
    expect((await eng.cal(['delete', 'w1', '--yes'])).code).toBe(0)
    expect((await eng.cal(['list'])).stdout).toBe('No VMs yet. Create one with `cal create NAME`.\n')
    expect(JSON.parse((await eng.cal(['list', '--json'])).stdout)).toEqual([])
    const doc = await eng.cal(['doctor', '--json', '--tart', host.tartPath])
    const report = JSON.parse(doc.stdout)
    expect(report.checks.find((c: { id: string }) => c.id === 'tart')).toMatchObject({ level: 'ok' })
    expect(report.checks.find((c: { id: string }) => c.id === 'cal-home')).toMatchObject({ level: 'ok' })
    const missing = await eng.cal(['doctor', '--tart', '/nonexistent/tart'])
    expect(missing.code).toBe(8)
    expect(missing.stdout).toContain('brew install cirruslabs/cli/tart')
  }, T)
})
