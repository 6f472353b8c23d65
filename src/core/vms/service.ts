import { CalError } from '../../shared/errors'
import type { GitSafetyReport } from '../../shared/git'
import type { Settings } from '../../shared/settings'
import type { DiskUsage, Snapshot, SnapshotKind } from '../../shared/snapshot'
import type { TaskKind } from '../../shared/task'
import type { CreateVmInput, HostStatus, VmInfo, VmState } from '../../shared/vm'
import { checkGitSafety } from '../git/check'
import type { RemoteExec } from '../git/remote-exec'
import { freeBytes, type FreeSpace } from '../host/disk'
import { diskUsage } from '../snapshots/disk-usage'
import { latestSessionSnapshot, recoverRestoreLeftovers, restoreSnapshot } from '../snapshots/restore'
import { createSnapshot } from '../snapshots/create'
import { deleteSnapshot, findSnapshot, listSnapshots, pruneSnapshots } from '../snapshots/snapshots'
import { opensshOptions } from '../ssh/openssh'
import { shellJoin } from '../ssh/quote'
import { FactsStore, type VmFacts } from '../store/facts'
import type { TaskHandle, TaskManager } from '../tasks/tasks'
import { TartDriver, type TartPathSource } from '../tart/driver'
import type { TartListEntry } from '../tart/types'
import { localVms } from '../tart/parse'
import { DEFAULT_TIMING, nested, STEPS, type Timing, type VmContext } from './context'
import { createVm } from './create'
import { guardDestructive, ShownReports } from './guard'
import { getVmInfo, listVmInfos, MAC_VM_LIMIT, runningMacVms, unlistedRunning } from './inventory'
import { deleteVm, startVm, stopVm, suspendVm } from './lifecycle'
import { KeyedMutex } from './mutex'
import { withVmLock } from './vm-lock'
import { restoreOldName, snapshotTartName, validateName } from './naming'
import { waitForSshBanner, type WaitForSsh } from './ssh-wait'
import { isAlive, RunSupervisor } from './supervisor'

export interface VmServiceDeps {
  calHome: string
  /** The Tart executable, or a function read at every call (the app's Settings → Tart path). */
  tartPath?: TartPathSource
  /** A Tart path given when CAL started (`--tart`), which Settings → Tart path does not change; for status(). */
  tartPathFixed?: string
  tasks: TaskManager
  emitVms: (vms: VmInfo[]) => void
  /** Running macOS VMs the list leaves out (see unlistedRunning), each time they change. */
  emitUnlisted?: (names: string[]) => void
  exec: RemoteExec
  settings: () => Settings
  waitForSsh?: WaitForSsh
  /** Called once a VM was created: a new disk means new host keys, so SSH re-pins on first contact. */
  onCreated?: (vm: string) => Promise<void>
  /**
   * Called once a snapshot's disk replaced a VM's (restore, rollback): its host key is the same, but CAL's key may
   * not be on it (a snapshot taken before CAL first connected), so SSH may log in with the password once more.
   */
  onRestored?: (vm: string) => Promise<void>
  /** Called once a VM was deleted: CAL forgets its pinned host key (and its known_hosts line). */
  onDeleted?: (vm: string) => Promise<void>
  /** Defaults to statfs; tests inject a full disk. */
  freeSpace?: FreeSpace
  timing?: Partial<Timing>
  /** Environment for Tart (TART_HOME…); defaults to process.env. */
  env?: NodeJS.ProcessEnv
  appVersion?: string
}

type Started = { taskId: string; done: Promise<unknown> }

/** Engine service for VMs, snapshots and the git check; the command handlers (handlers.ts) are thin wrappers. */
/** Refusals that mean the VM was not in the state CAL last listed for it (see run). */
const STALE_STATE: ReadonlySet<string> = new Set(['VM_NOT_RUNNING', 'VM_ALREADY_RUNNING', 'VM_NOT_FOUND'])

export class VmService {
  readonly ctx: VmContext
  readonly tasks: TaskManager
  private lastEmitted = ''
  private lastUnlisted = '[]'
  /** The git safety reports shown lately, for a confirmation that names the one it saw (see guardDestructive). */
  private readonly shown = new ShownReports()
  private lastSignature = ''

  constructor(private readonly deps: VmServiceDeps) {
    const tart = new TartDriver({ tartPath: deps.tartPath, env: deps.env })
    const facts = new FactsStore(deps.calHome)
    this.tasks = deps.tasks
    this.ctx = {
      calHome: deps.calHome,
      tart,
      facts,
      supervisor: new RunSupervisor(tart, facts),
      exec: deps.exec,
      settings: deps.settings,
      waitForSsh: deps.waitForSsh ?? waitForSshBanner,
      freeSpace: deps.freeSpace ?? freeBytes,
      locks: new KeyedMutex(),
      transient: new Map(),
      changed: () => {
        this.emitSoon()
      },
      transientChanged: () => this.emitTransient(),
      timing: { ...DEFAULT_TIMING, ...deps.timing },
    }
  }

  private emitting: Promise<void> | null = null
  private emitAgain = false
  /** Counts the emits asked for by operations: a poll that saw it change while it listed has a stale list. */
  private asked = 0

  /**
   * Re-reads Tart and emits VmInfo[]; never on a task's critical path (Tart calls cost ~100 ms each), and
   * coalesced: a request while one is in flight runs once more after it, and only that fresher list is emitted.
   */
  private emitSoon(): void {
    this.asked += 1
    if (this.emitting) {
      this.emitAgain = true
      return
    }
    this.emitting = (async () => {
      do {
        this.emitAgain = false
        try {
          const [list, facts] = await Promise.all([this.ctx.tart.list({ source: 'local' }), this.ctx.facts.all()])
          const vms = await listVmInfos(this.ctx, list, facts)
          this.noteUnlisted(list, facts)
          // Asked again meanwhile (an operation ended): this list may predate it, so only the next one goes out. A
          // stop's VM listed "running" after its task ended read as a VM back up, and its "stopped" then as a crash.
          if (this.emitAgain) continue
          this.lastEmitted = JSON.stringify(vms)
          this.deps.emitVms(vms)
        } catch {
          // Tart unavailable for a moment: the next change or refresh() emits again.
        }
      } while (this.emitAgain)
    })().finally(() => (this.emitting = null))
  }

  /** "starting"/"stopping" at once, from the last list, without asking Tart (which would slow the operation). */
  private emitTransient(back?: { vm: string; state: VmState }): void {
    this.asked += 1
    if (!this.lastEmitted) return this.emitSoon()
    const vms = (JSON.parse(this.lastEmitted) as VmInfo[]).map((v) => ({ ...v, state: this.ctx.transient.get(v.name) ?? (v.name === back?.vm ? back.state : v.state) }))
    this.deps.emitVms(vms)
  }

  private noteUnlisted(list: TartListEntry[], facts: Map<string, VmFacts>): void {
    const text = JSON.stringify(unlistedRunning(list, facts))
    if (text === this.lastUnlisted) return
    this.lastUnlisted = text
    this.deps.emitUnlisted?.(JSON.parse(text) as string[])
  }

  async unlisted(): Promise<string[]> {
    const [list, facts] = await Promise.all([this.ctx.tart.list({ source: 'local' }), this.ctx.facts.all()])
    return unlistedRunning(list, facts)
  }

  /** The state `vm` was last listed in (before an operation on it set a transient one). */
  private lastState(vm: string): VmState | null {
    if (!this.lastEmitted) return null
    return (JSON.parse(this.lastEmitted) as VmInfo[]).find((v) => v.name === vm)?.state ?? null
  }

  /** Resolves once pending VM emits have gone out (tests, and callers that need the list settled). */
  async settled(): Promise<void> {
    while (this.emitting) await this.emitting
  }

  /** Cheap poll for VMs that changed behind CAL's back (one `tart list`); emits only on a change. */
  async refresh(): Promise<void> {
    const asked = this.asked
    const list = localVms(await this.ctx.tart.list({ source: 'local' }))
    const signature = JSON.stringify(list.map((e) => [e.name, e.state, e.sizeGb]))
    if (signature === this.lastSignature && this.lastEmitted) return
    this.lastSignature = signature
    const facts = await this.ctx.facts.all()
    const vms = await listVmInfos(this.ctx, list, facts)
    // A snapshot's copy started by hand changes the count of running VMs, not the list.
    this.noteUnlisted(list, facts)
    // An operation began or ended while this listed (its own emit follows): this list may be older than that one.
    if (asked !== this.asked || this.emitting) return
    const text = JSON.stringify(vms)
    if (text === this.lastEmitted) return
    this.lastEmitted = text
    this.deps.emitVms(vms)
  }

  /** Per VM, the titles of the operations under way or queued on it, in order. */
  private readonly lines = new Map<string, string[]>()

  /**
   * Runs one VM operation as a task: serialised per VM (queued in this process, refused as VM_BUSY while another CAL
   * process holds the VM: see withVmLock), a transient state shown meanwhile, VmInfo[] emitted after.
   */
  private run<T>(kind: keyof typeof STEPS | TaskKind, title: string, vm: string, transient: VmState | null, body: (t: TaskHandle) => Promise<T>, cancellable = true): { taskId: string; done: Promise<T> } {
    const steps = (STEPS[kind as keyof typeof STEPS] ?? []).map(([id, label]) => ({ id, label }))
    return this.tasks.start({ kind: kind as TaskKind, title, vm, steps, cancellable }, async (t) => {
      await this.repaired
      // Queued behind another operation on this VM (a Stop clicked during a snapshot): say so, not nothing for a while.
      const line = this.lines.get(vm) ?? []
      const ahead = line.at(-1)
      if (ahead) t.log(`Waits until "${ahead}" has finished, then goes ahead.`)
      line.push(title)
      this.lines.set(vm, line)
      try {
        return await this.ctx.locks.run(vm, () => this.locked(vm, title, transient, () => body(t)))
      } finally {
        line.splice(line.indexOf(title), 1)
        if (line.length === 0 && this.lines.get(vm) === line) this.lines.delete(vm)
      }
    })
  }

  /** One operation on `vm`, its turn come: the VM's lock across CAL processes, its transient state, a list after. */
  private locked<T>(vm: string, title: string, transient: VmState | null, body: () => Promise<T>): Promise<T> {
    return withVmLock(this.ctx.facts.paths.run, vm, title, async () => {
      // Operations on one VM run one at a time and clear their transient state as they end: this is its real one.
      const before = transient ? this.lastState(vm) : null
      if (transient) {
        this.ctx.transient.set(vm, transient)
        this.emitTransient()
      }
      let failed = false
      let stale = false
      try {
        return await body()
      } catch (err) {
        failed = true
        // The VM was not in the state CAL last listed (stopped or started behind its back): that state is stale.
        stale = STALE_STATE.has(CalError.from(err).code)
        throw err
      } finally {
        this.ctx.transient.delete(vm)
        // A refused operation (a start at the VM limit) changed nothing: its VM shows its last state at once,
        // not "starting" (a third running VM of two) until Tart has been listed again. Not a stale one: a stop of a
        // VM stopped meanwhile showed it running again, with its address, which read as "ready".
        if (failed && before && !stale) this.emitTransient({ vm, state: before })
        this.emitSoon()
      }
    })
  }

  /**
   * At engine start: repairs what a restore interrupted by a crash or a quit left behind (see recoverRestoreLeftovers),
   * logging each repair. Throws only when Tart cannot be listed.
   */
  async recoverRestoreLeftovers(log: (line: string) => void): Promise<void> {
    const repair = recoverRestoreLeftovers(this.ctx, log)
    // Operations wait for the repair: one that ran first would find a parked VM missing ("does not exist"), or let a
    // create take its name, after which the parked VM looks like garbage that a restore or delete removes unasked.
    this.repaired = repair.then(
      () => undefined,
      () => undefined,
    )
    if ((await repair) > 0) this.emitSoon()
  }

  /** Settles once the startup repair of interrupted restores (if any was started) has finished or failed. */
  private repaired: Promise<void> = Promise.resolve()

  /** The title of what this engine is doing to `vm` right now (a running task), or null. */
  busyWith(vm: string): string | null {
    return this.tasks.list().find((t) => t.vm === vm && t.state === 'running')?.title ?? null
  }

  list(): Promise<VmInfo[]> {
    return listVmInfos(this.ctx)
  }

  get(name: string): Promise<VmInfo> {
    return getVmInfo(this.ctx, validateName(name, 'VM name'))
  }

  async status(): Promise<HostStatus> {
    let version: string | null = null
    try {
      version = await this.ctx.tart.version({ timeoutMs: 10_000 })
    } catch (err) {
      if (!(err instanceof CalError && err.code === 'TART_NOT_FOUND')) throw err
    }
    return {
      tartFound: version !== null,
      tartPath: version !== null ? this.ctx.tart.path : null,
      tartPathFixed: this.deps.tartPathFixed ?? null,
      tartVersion: version,
      calHome: this.deps.calHome,
      runningMacVms: version !== null ? (await runningMacVms(this.ctx)).length : 0,
      macVmLimit: MAC_VM_LIMIT,
      platform: process.platform,
      appVersion: this.deps.appVersion ?? '0.0.0',
    }
  }

  create(input: CreateVmInput): Started {
    validateName(input.name, 'VM name')
    return this.run('create', `Create ${input.name}`, input.name, null, async (t) => {
      await createVm(this.ctx, input, t, { beforeRecord: () => this.deps.onCreated?.(input.name) ?? Promise.resolve() })
    })
  }

  start(name: string): Started {
    validateName(name, 'VM name')
    // Resuming a suspended VM: once `tart run` restored from state.vzvmsave, Tart deletes it, and a cancel's hard stop
    // would lose the preserved sessions. A task cannot turn uncancellable half-way, so such a start never is (the part
    // before `tart run` takes a second). Tart's documented layout tells without a `tart` call.
    const resumes = this.ctx.tart.hasSavedState(name)
    return this.run('start', `Start ${name}`, name, 'starting', (t) => startVm(this.ctx, name, t), !resumes)
  }

  stop(name: string, force = false): Started {
    validateName(name, 'VM name')
    return this.run('stop', `${force ? 'Power off' : 'Stop'} ${name}`, name, 'stopping', (t) => stopVm(this.ctx, name, force, t))
  }

  restart(name: string): Started {
    validateName(name, 'VM name')
    return this.run('restart', `Restart ${name}`, name, 'stopping', async (t) => {
      t.step('stop')
      const d = await this.ctx.tart.get(name, { signal: t.signal })
      if (d.state !== 'stopped') await stopVm(this.ctx, name, false, nested(t, 'stop'))
      t.step('start')
      this.ctx.transient.set(name, 'starting')
      return startVm(this.ctx, name, nested(t, 'start'))
    })
  }

  suspend(name: string): Started {
    validateName(name, 'VM name')
    return this.run('suspend', `Suspend ${name}`, name, 'stopping', (t) => suspendVm(this.ctx, name, t), false)
  }

  async delete(name: string, force: boolean, confirmed: boolean, checkedAt?: string): Promise<Started> {
    validateName(name, 'VM name')
    await this.repaired
    // A VM that is gone has nothing left to check: deleteVm then finishes an interrupted delete, or says it is not there.
    // One a restore left parked is there, stopped, under another name: as any stopped VM, it cannot be checked.
    await guardDestructive(this.ctx, name, 'delete', { confirmed, checkedAt, reports: this.shown }).catch(async (err: unknown) => {
      if (CalError.from(err).code !== 'VM_NOT_FOUND') throw err
      if (!confirmed && this.ctx.tart.localDirExists(restoreOldName(name))) {
        throw new CalError('CONFIRMATION_REQUIRED', `"${name}" is parked by a restore that could not finish, so CAL cannot check it for unsaved git work before the delete.`, { cli: 'Confirm the delete (--yes), or let CAL put it back first (it does when it next starts).', app: 'Confirm the delete to go ahead without the check.' }, { vm: name })
      }
    })
    return this.run('delete', `Delete ${name}`, name, 'stopping', async (t) => {
      await deleteVm(this.ctx, name, force, t)
      await this.deps.onDeleted?.(name)
    }, false)
  }

  async sshCommand(name: string): Promise<string> {
    const { host, port } = await this.sshTarget(name)
    const user = this.deps.settings().ssh.user
    return shellJoin(['ssh', ...opensshOptions(this.deps.calHome), ...(port === 22 ? [] : ['-p', String(port)]), '--', `${user}@${host}`])
  }

  /** IP of a running VM (the one recorded at start, else `tart ip`); VM_NOT_RUNNING otherwise. */
  async sshTarget(name: string): Promise<{ host: string; port: number }> {
    validateName(name, 'VM name')
    const d = await this.ctx.tart.get(name)
    if (d.state !== 'running') {
      throw new CalError('VM_NOT_RUNNING', `The VM "${name}" is not running.`, { cli: `Start it with \`cal start ${name}\`.`, app: 'Start it first.' }, { vm: name, state: d.state })
    }
    const rec = await this.ctx.facts.getRun(name)
    if (rec?.ip && isAlive(rec.pid)) return { host: rec.ip, port: 22 }
    const ip = await this.ctx.tart.ip(name, { waitSeconds: 10 })
    // Kept on the run it was read from only: a restart during the wait wrote a record of its own, which the old run's
    // pid and start time overwrote (the uptime went back, a suspend said the VM was not started to be suspended).
    const now = await this.ctx.facts.getRun(name)
    if (rec && now && now.pid === rec.pid && now.startedAt === rec.startedAt) await this.ctx.facts.putRun(name, { ...now, ip })
    return { host: ip, port: 22 }
  }

  listSnapshots(vm: string): Promise<Snapshot[]> {
    return listSnapshots(this.ctx, validateName(vm, 'VM name'))
  }

  createSnapshot(vm: string, name: string | undefined, kind: SnapshotKind): { taskId: string; done: Promise<Snapshot> } {
    validateName(vm, 'VM name')
    if (name) validateName(name, 'snapshot name', 'snapshot')
    return this.run('snapshot', `Snapshot ${vm}${name ? ` as "${name}"` : ''}`, vm, null, async (t) => {
      const snap = await createSnapshot(this.ctx, vm, { name, kind }, t)
      // The snapshot is taken: a retention that fails (Tart cannot list, say) must not fail it, nor the agent launch
      // that asked for it. The old snapshots stay, and the next session snapshot tries again.
      if (kind === 'session') {
        await pruneSnapshots(this.ctx, vm, t).catch((err: unknown) =>
          t.log(`retention: could not remove old automatic snapshots (${CalError.from(err).message}); they are kept and retried next time`),
        )
      }
      return snap
    }, false)
  }

  /** The agent launch's automatic snapshot (a task, so the UI shows it), with retention applied after. */
  async takeSessionSnapshot(vm: string, signal?: AbortSignal): Promise<Snapshot> {
    const { taskId, done } = this.createSnapshot(vm, undefined, 'session')
    // A snapshot cannot be cancelled once started (its task says so): it finishes, and the launch stops after it.
    // cancel() throwing here would escape from the abort event, where nothing catches it.
    const onAbort = () => {
      try {
        this.tasks.cancel(taskId)
      } catch {
        // Not cancellable: let it finish.
      }
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      return await done
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  async restoreSnapshot(vm: string, snapshot: string, confirmed: boolean, checkedAt?: string): Promise<Started & { snapshot: string }> {
    validateName(vm, 'VM name')
    validateName(snapshot, 'snapshot name')
    await this.repaired
    // CAL's facts answer at once; the task confirms with Tart (a clone deleted behind CAL's back fails there).
    const f = await this.ctx.facts.get(snapshotTartName(vm, snapshot))
    if (f?.role !== 'snapshot' || f.parent !== vm) await findSnapshot(this.ctx, vm, snapshot)
    await guardDestructive(this.ctx, vm, 'restore', { confirmed, checkedAt, reports: this.shown })
    // No state of its own at first: the VM runs on (or stays stopped) while the snapshot is cloned; restoreTo says
    // when it stops and starts it.
    return { ...this.run('restore', `Restore ${vm} to "${snapshot}"`, vm, null, (t) => this.restoreTo(vm, snapshot, t), false), snapshot }
  }

  /** Restores the newest session-start snapshot; the result names it (the engine chose it, not the caller). */
  async rollback(vm: string, confirmed: boolean, checkedAt?: string): Promise<Started & { snapshot: string }> {
    validateName(vm, 'VM name')
    await this.repaired
    const snapshot = await latestSessionSnapshot(this.ctx, vm)
    await guardDestructive(this.ctx, vm, 'rollback', { confirmed, checkedAt, reports: this.shown })
    return { ...this.run('rollback', `Roll ${vm} back to "${snapshot}"`, vm, null, (t) => this.restoreTo(vm, snapshot, t), false), snapshot }
  }

  private async restoreTo(vm: string, snapshot: string, t: Parameters<typeof restoreSnapshot>[3]): Promise<void> {
    await restoreSnapshot(this.ctx, vm, snapshot, t)
    await this.deps.onRestored?.(vm)
  }

  deleteSnapshot(vm: string, snapshot: string): Started {
    validateName(vm, 'VM name')
    validateName(snapshot, 'snapshot name')
    return this.run('snapshot-delete', `Delete snapshot "${snapshot}" of ${vm}`, vm, null, (t) => deleteSnapshot(this.ctx, vm, snapshot, t), false)
  }

  /** Applies the retention policy now (session snapshots also trigger it). */
  async pruneSnapshots(vm: string): Promise<string[]> {
    return pruneSnapshots(this.ctx, validateName(vm, 'VM name'), { step: () => {}, log: () => {} })
  }

  diskUsage(): Promise<DiskUsage> {
    return diskUsage(this.ctx)
  }

  async checkGit(vm: string, signal?: AbortSignal): Promise<GitSafetyReport> {
    validateName(vm, 'VM name')
    await this.sshTarget(vm)
    return this.shown.remember(await checkGitSafety(this.ctx.exec, vm, { signal }))
  }
}

export function createVmService(deps: VmServiceDeps): VmService {
  return new VmService(deps)
}
