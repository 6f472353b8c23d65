import { homedir } from 'node:os'
import { join } from 'node:path'
import type { CommandHandlers, SendHandlers } from '../shared/api'
import { agentHandlers } from './agent/handlers'
import { EngineEvents } from './events'
import { createFileSettingsStore, redactView, settingsHandlers, type SettingsStore } from './settings'
import { SshPool } from './ssh/pool'
import { TaskManager } from './tasks/tasks'
import { createTerminalService, terminalHandlers, terminalSends } from './terminal/handlers'
import { createVmService, vmHandlers, type VmService } from './vms/handlers'
import { CalError } from '../shared/errors'

export interface EngineOptions {
  /** CAL's own data (default ~/.cal, or CAL_HOME). */
  calHome?: string
  /** The tart executable (default: CAL_TART, else `tart` on PATH). */
  tartPath?: string
  appVersion?: string
  /** Settings shared with the CLI (electron-store in the app; by default the same file, read in plain Node). */
  settings?: SettingsStore
  /**
   * Re-read Tart's VM list this often (ms) to notice VMs that stop on their own; 0 turns it off.
   * The app and the browser host watch; the CLI, which runs one verb and exits, does not.
   */
  watchVmsMs?: number
  /** Diagnostics; never receives secrets. */
  log?: (line: string) => void
}

export interface Engine {
  handlers: CommandHandlers
  sends: SendHandlers
  events: EngineEvents
  vms: VmService
  settings: SettingsStore
  dispose(): Promise<void>
}

export function resolveCalHome(explicit?: string): string {
  return explicit ?? process.env.CAL_HOME ?? join(homedir(), '.cal')
}

/** Builds every engine service once and binds them to the contract's channels. */
export function createEngine(options: EngineOptions = {}): Engine {
  const events = new EngineEvents()
  const calHome = resolveCalHome(options.calHome)
  const settings = options.settings ?? createFileSettingsStore(calHome)
  const currentSettings = () => settings.get().settings
  const tasks = new TaskManager((task) => events.emit('tasks:updated', task))

  // The VM service and the SSH pool need each other (the git check runs over SSH; SSH needs the VM's IP),
  // so each reaches the other through a closure that is only called after both exist.
  const pool: SshPool = new SshPool({
    calHome,
    resolveTarget: (vm) => vms.sshTarget(vm),
    credentials: () => currentSettings().ssh,
    log: options.log,
  })
  const exec = pool.exec.bind(pool)
  // An explicit path (--tart, the host's flag) wins; otherwise Settings → Tart path, read at every call.
  const tartPath = () => options.tartPath ?? (currentSettings().tartPath || undefined)
  const vms: VmService = createVmService({
    calHome,
    tartPath,
    tartPathFixed: options.tartPath,
    tasks,
    emitVms: (list) => events.emit('vms:changed', list),
    emitUnlisted: (names) => events.emit('vms:unlisted', names),
    exec,
    settings: currentSettings,
    appVersion: options.appVersion,
    onCreated: (vm) => pool.repinOnCreate(vm),
    onRestored: (vm) => pool.keyMayBeMissing(vm),
    onDeleted: (vm) => pool.forgetHostKey(vm),
  })
  const terminals = createTerminalService({ pool, emit: events.emit.bind(events), calHome, tartPath })

  const handlers: CommandHandlers = {
    ...vmHandlers(vms),
    ...terminalHandlers(terminals),
    ...agentHandlers({
      terminals,
      vmState: (vm) => vms.get(vm),
      busyWith: (vm) => vms.busyWith(vm),
      takeSessionSnapshot: (vm) => vms.takeSessionSnapshot(vm),
      settings: currentSettings,
      lastSessionSnapshotAt: async (vm) => (await vms.get(vm)).lastSessionSnapshotAt,
      exec,
    }),
    ...settingsHandlers(settings),
    // Opening a link belongs to whoever owns the screen: the app and the browser host bind their own.
    'shell:openExternal': async () => {
      throw new CalError('FORBIDDEN', 'This CAL front end cannot open links.', 'Copy the link and open it in your browser.')
    },
  }

  // A restore interrupted by a crash or a quit can leave the working VM parked under another name: put it back
  // in the background (one `tart list` when nothing is left over), so startup never waits on Tart. A repair is
  // worth telling even where no log is wired (the CLI); a Tart that cannot be listed is not.
  const recovery = vms
    .recoverRestoreLeftovers(options.log ?? ((line) => console.warn(`cal: ${line}`)))
    .catch((err: unknown) => options.log?.(`restore recovery skipped: ${CalError.from(err).message}`))

  const disposers: (() => void)[] = [settings.onChange((view) => events.emit('settings:changed', redactView(view)))]
  if (options.watchVmsMs && options.watchVmsMs > 0) {
    const timer = setInterval(() => void vms.refresh().catch(() => {}), options.watchVmsMs)
    timer.unref()
    disposers.push(() => clearInterval(timer))
  }

  return {
    handlers,
    sends: terminalSends(terminals),
    events,
    vms,
    settings,
    dispose: async () => {
      for (const d of disposers.splice(0)) d()
      await terminals.dispose()
      await pool.dispose()
      // A short-lived engine (the CLI) must not exit in the middle of a rename or delete.
      await recovery
      await vms.settled()
    },
  }
}
