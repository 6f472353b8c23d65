import type { Task } from '../../shared/task'
import type { VmInfo, VmState } from '../../shared/vm'
import { snapshotShutsDown } from '../../shared/power-question'

/** What a tray item does; the Electron glue maps each to engine verbs (see actions.ts). */
export type TrayAction =
  | { kind: 'vm:start' | 'vm:stop' | 'vm:restart' | 'vm:suspend' | 'vm:rollback' | 'vm:terminal' | 'vm:copySsh'; vm: string }
  /** `shutsDown`: the VM is running and cannot be suspended, so the snapshot shuts it down and starts it again. */
  | { kind: 'vm:snapshot'; vm: string; shutsDown: boolean }
  | { kind: 'vm:screenSharing'; vm: string; ip: string }
  | { kind: 'app:open' | 'app:settings' | 'app:quit' }

/** A plain menu template (no Electron types), so the menu can be tested without Electron. */
export interface TrayMenuItem {
  label?: string
  type?: 'normal' | 'separator' | 'submenu'
  enabled?: boolean
  submenu?: TrayMenuItem[]
  action?: TrayAction
}

export interface TrayState {
  vms: VmInfo[]
  /** Running macOS VMs the list leaves out (a snapshot's copy started by hand): Apple's limit counts them. */
  unlisted: string[]
  /** Tasks in progress. */
  tasks: Task[]
  macVmLimit: number
  /** A failed task not yet seen, or a VM in state "error". */
  hasError: boolean
  /**
   * VMs a tray item is working on before the engine has a task for it (Stop and Restart first ask the VM what still
   * runs there and may ask the user; Roll back first runs the git check): their items wait, so a second click does
   * not ask again or queue the same operation twice.
   */
  pending: ReadonlySet<string>
  /** Whether a VM list has come yet (at launch Tart may take a while to answer: "No VMs yet" would be wrong). */
  listed: boolean
  /** The user chose "Quit When Done": CAL quits once the tasks end. */
  quitWhenDone: boolean
  /** Tart cannot be found or run: no VM can be listed or started until it is installed (the window says how). */
  tartMissing: boolean
}

export type TrayIconState = 'idle' | 'running' | 'busy' | 'error'

const stateLabels: Record<VmState, string> = {
  running: 'running',
  stopped: 'stopped',
  suspended: 'suspended',
  starting: 'starting…',
  stopping: 'stopping…',
  error: 'error',
}

/** The icon shows the most urgent thing: an error, then work in progress, then a running VM. */
export function trayIconState(state: TrayState): TrayIconState {
  if (state.hasError || state.tartMissing) return 'error'
  if (state.tasks.length > 0 || state.pending.size > 0) return 'busy'
  if (state.vms.some((v) => v.state === 'running')) return 'running'
  return 'idle'
}

export function trayTooltip(state: TrayState): string {
  if (state.tartMissing) return 'CAL: Tart not found'
  const running = runningMacVms(state)
  const busy = state.tasks.length > 0 ? `, ${state.tasks.length} task${state.tasks.length === 1 ? '' : 's'} in progress` : ''
  return `CAL: ${running} of ${state.macVmLimit} VMs running${busy}${state.hasError ? ', something needs attention' : ''}`
}

function runningMacVms(state: Pick<TrayState, 'vms' | 'unlisted'>): number {
  return state.vms.filter((v) => v.os === 'darwin' && (v.state === 'running' || v.state === 'starting')).length + state.unlisted.length
}

const separator: TrayMenuItem = { type: 'separator' }

/** The tray menu, built from the current state each time it opens. */
export function buildTrayMenu(state: TrayState): TrayMenuItem[] {
  const running = runningMacVms(state)
  const atLimit = running >= state.macVmLimit
  const items: TrayMenuItem[] = [
    { label: `Running VMs: ${running} of ${state.macVmLimit}${atLimit ? ' (limit reached)' : ''}`, enabled: false },
  ]
  for (const task of state.tasks) {
    items.push({ label: `${task.title}${task.percent === null ? '…' : ` (${Math.round(task.percent)}%)`}`, enabled: false })
  }
  if (state.quitWhenDone) items.push({ label: 'CAL quits when these tasks end', enabled: false })
  items.push(separator)
  // Snapshot clones are storage, not machines the user works in.
  const vms = state.vms.filter((v) => v.role !== 'snapshot')
  if (state.tartMissing) {
    // "No VMs yet" would send the user to create one, which cannot work: the window says how to install Tart.
    items.push({ label: 'Tart not found', enabled: false }, { label: 'Install Tart…', action: { kind: 'app:open' } })
  } else if (!state.listed) items.push({ label: 'Looking for VMs…', enabled: false })
  else if (vms.length === 0) items.push({ label: 'No VMs yet', enabled: false })
  for (const vm of vms) items.push(vmItem(vm, state, atLimit))
  items.push(separator, { label: 'Open CAL', action: { kind: 'app:open' } }, { label: 'Settings…', action: { kind: 'app:settings' } })
  items.push(separator, { label: state.tasks.length > 0 ? 'Quit CAL…' : 'Quit CAL', action: { kind: 'app:quit' } })
  return items
}

function vmItem(vm: VmInfo, state: TrayState, atLimit: boolean): TrayMenuItem {
  const busy = state.pending.has(vm.name) || state.tasks.some((t) => t.vm === vm.name)
  const up = vm.state === 'running'
  const canStart = !busy && (vm.state === 'stopped' || vm.state === 'suspended' || vm.state === 'error')
  const limited = canStart && vm.os === 'darwin' && atLimit
  const withIp = up && vm.ip !== null
  const vmAction = (kind: Exclude<TrayAction['kind'], 'vm:screenSharing' | 'vm:snapshot' | 'app:open' | 'app:settings' | 'app:quit'>): TrayAction => ({
    kind,
    vm: vm.name,
  })
  const submenu: TrayMenuItem[] = [
    { label: `State: ${stateLabels[vm.state]}${busy ? ' (busy)' : ''}`, enabled: false },
    { label: `IP: ${vm.ip ?? '—'}`, enabled: false },
    separator,
    {
      label: `${vm.state === 'suspended' ? 'Resume' : 'Start'}${limited ? ` (limit of ${state.macVmLimit} running VMs reached)` : ''}`,
      enabled: canStart && !limited,
      action: vmAction('vm:start'),
    },
    { label: 'Stop', enabled: up && !busy, action: vmAction('vm:stop') },
    { label: 'Restart', enabled: up && !busy, action: vmAction('vm:restart') },
    // Its programs keep running in the saved memory, so nothing to ask first (the engine refuses a run it cannot save).
    { label: 'Suspend', enabled: up && !busy, action: vmAction('vm:suspend') },
    separator,
    {
      label: 'Take Snapshot',
      enabled: !busy && vm.state !== 'error',
      action: { kind: 'vm:snapshot', vm: vm.name, shutsDown: snapshotShutsDown(vm) },
    },
    { label: 'Roll Back to Session Start…', enabled: !busy && vm.lastSessionSnapshotAt !== null, action: vmAction('vm:rollback') },
    separator,
    { label: 'Open Terminal', enabled: up, action: vmAction('vm:terminal') },
    {
      label: 'Open in Screen Sharing',
      enabled: withIp,
      ...(withIp && vm.ip ? { action: { kind: 'vm:screenSharing', vm: vm.name, ip: vm.ip } as const } : {}),
    },
    { label: 'Copy SSH Command', enabled: withIp, action: vmAction('vm:copySsh') },
  ]
  const where = vm.ip && up ? ` · ${vm.ip}` : ''
  return { label: `${vm.name} — ${stateLabels[vm.state]}${where}`, type: 'submenu', submenu }
}
