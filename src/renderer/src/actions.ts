/**
 * Every user action, in one place: buttons, hotkeys and the command palette all call these.
 * Each one calls window.cal, and reports failures through report.ts; none of them polls.
 */
import type { CalErrorData } from '../../shared/errors'
import type { GitSafetyReport } from '../../shared/git'
import type { CreateVmInput } from '../../shared/vm'
import type { SettingsPatch } from '../../shared/settings'
import type { TerminalKind, TerminalSession } from '../../shared/terminal'
import { ASK_WITHIN_MS, busyWithin, powerQuestion, snapshotShutsDown, type PowerAction, type PowerQuestion } from '../../shared/power-question'
import { UiError, cal, errorData, unwrap } from './api'
import { reportError } from './report'
import { useApp } from './store/app'
import { contextKey, useSessions, withTabLabels } from './store/sessions'
import { useSettings } from './store/settings'
import { useSnapshots } from './store/snapshots'
import { useTasks } from './store/tasks'
import { useUi } from './store/ui'
import { useVms } from './store/vms'
import { clearTermScrollback, disposeTerm } from './terminal/registry'
import { terminalSize } from './terminal/size'

export { reportTaskEnd } from './report'

async function startTask(title: string, vm: string | null, pending: Promise<unknown>): Promise<boolean> {
  try {
    await pending
    return true
  } catch (err) {
    reportError(err, title, { vm })
    return false
  }
}

export const startVm = (name: string) => startTask(`Start ${name}`, name, unwrap(cal().vms.start({ name })))
export const stopVm = (name: string, force = false) => startTask(`Stop ${name}`, name, unwrap(cal().vms.stop({ name, force })))
export const restartVm = (name: string) => startTask(`Restart ${name}`, name, unwrap(cal().vms.restart({ name })))

/**
 * Stop or restart from the UI: when programs still work in the VM's tmux sessions (an agent mid-task, a build),
 * ask first in a sheet that names them; else go ahead (also when the VM cannot say in time, see busyWithin).
 */
export async function requestPower(vm: string, action: 'stop' | 'restart'): Promise<void> {
  if (!(await mayEndPrograms(vm, action))) return
  // Stop stays at hand while a task works on the VM (a snapshot, a restore); the engine runs it after that one.
  const ahead = Object.values(useTasks.getState().byId).find((t) => t.vm === vm && t.state === 'running')
  if (ahead) {
    const verb = action === 'stop' ? 'Stop' : 'Restart'
    useUi.getState().pushToast({ id: `queued:${vm}`, level: 'info', title: `${verb} ${vm} waits for "${ahead.title}"`, body: `It goes ahead once that has finished.`, error: null, log: [] })
  }
  void (action === 'stop' ? stopVm(vm) : restartVm(vm))
}

/**
 * Take a snapshot from the UI; its task's id once it started, else null. A running VM that cannot be suspended is
 * shut down for it and started again, which ends its programs: as for Stop, the ones still working are named and the
 * user decides first.
 */
export async function requestSnapshot(vm: string, name?: string): Promise<string | null> {
  const info = useVms.getState().vms.find((v) => v.name === vm)
  if (info && snapshotShutsDown(info) && !(await mayEndPrograms(vm, 'snapshot'))) return null
  try {
    const { taskId } = await unwrap(cal().snapshots.create({ vm, name: name || undefined, kind: 'manual' }))
    return taskId
  } catch (err) {
    reportError(err, `Snapshot ${vm}`, { vm })
    return null
  }
}

/** Whether `action` may go ahead: asked in a sheet when programs still work in the running VM's tmux sessions. */
async function mayEndPrograms(vm: string, action: PowerAction): Promise<boolean> {
  const running = useVms.getState().vms.find((v) => v.name === vm)?.state === 'running'
  const busy = running ? await busyWithin(() => unwrap(cal().terminal.sessions({ name: vm })), ASK_WITHIN_MS) : []
  const question = powerQuestion(vm, action, withTabLabels(vm, busy))
  return question === null || askPower(vm, question)
}

function askPower(vm: string | null, question: PowerQuestion): Promise<boolean> {
  return new Promise((decide) => useUi.getState().openDialog({ kind: 'power-confirm', vm, question, decide }))
}

export const suspendVm = (name: string) => startTask(`Suspend ${name}`, name, unwrap(cal().vms.suspend({ name })))
/**
 * What a confirmation sheet's action came to: started; refused because the work at risk grew or changed since the
 * report the user read (the newer report, and the repositories whose work changed under the same counts); or failed.
 */
export type ConfirmedOutcome = { started: true } | { newer: GitSafetyReport; changedRepos: string[] } | { error: CalErrorData }

/**
 * A destructive verb confirmed after reading the git safety report checked at `checkedAt` (none when the check
 * failed and the user went ahead anyway). The engine checks again first: when more is at risk by then, the verb is
 * not started and the newer report comes back, for the sheet to show and be confirmed in turn. Any other refusal
 * comes back too, for the sheet to say: a toast would sit under its backdrop, behind the sheet, where nothing can be
 * clicked. Should the sheet be gone meanwhile, or the refusal have a sheet of its own (the VM limit), it is reported
 * as usual.
 */
async function startConfirmed(title: string, vm: string, pending: Promise<unknown>): Promise<ConfirmedOutcome> {
  try {
    await pending
    return { started: true }
  } catch (err) {
    const e = errorData(err)
    const newer = e.code === 'GIT_RISK' && e.details?.changedSinceConfirmed === true ? (e.details.report as GitSafetyReport | undefined) : undefined
    if (newer) {
      const changed = e.details?.changedRepos
      return { newer, changedRepos: Array.isArray(changed) ? changed.filter((r): r is string => typeof r === 'string') : [] }
    }
    const dialog = useUi.getState().dialog
    if (e.code === 'VM_LIMIT_REACHED' || dialog?.kind !== 'snapshot-confirm' || dialog.vm !== vm) reportError(err, title, { vm })
    return { error: e }
  }
}

/** See startConfirmed: a newer report is shown as a failure, since the Delete sheet is closed by then. */
export const deleteVm = (name: string, checkedAt?: string) =>
  startTask(`Delete ${name}`, name, unwrap(cal().vms.delete({ name, force: true, confirmed: true, checkedAt })))

/**
 * Starts creating a workspace. A refusal of the call itself comes back for the New workspace sheet to show (a toast
 * would sit under its backdrop); should the sheet be gone meanwhile, it is reported as usual.
 */
export async function createVm(input: CreateVmInput): Promise<{ taskId: string } | { error: CalErrorData }> {
  try {
    const { taskId } = await unwrap(cal().vms.create(input))
    // Selected at once, and shown as being created until Tart lists it (the main view shows the task meanwhile).
    useVms.getState().await(input.name)
    return { taskId }
  } catch (err) {
    if (useUi.getState().dialog?.kind !== 'create') reportError(err, `Create ${input.name}`, { vm: input.name })
    return { error: errorData(err) }
  }
}

export async function loadSnapshots(vm: string): Promise<void> {
  try {
    const [list, usage] = await Promise.all([unwrap(cal().snapshots.list({ vm })), unwrap(cal().snapshots.diskUsage())])
    useSnapshots.getState().setList(vm, list)
    useSnapshots.getState().setUsage(usage)
  } catch (err) {
    reportError(err, `List snapshots of ${vm}`, { id: `snapshots:${vm}` })
  }
}

export const restoreSnapshot = (vm: string, snapshot: string, checkedAt?: string) =>
  startConfirmed(`Restore ${snapshot}`, vm, unwrap(cal().snapshots.restore({ vm, snapshot, confirmed: true, checkedAt })))
export const deleteSnapshot = (vm: string, snapshot: string) =>
  startConfirmed(`Delete snapshot "${snapshot}"`, vm, unwrap(cal().snapshots.delete({ vm, snapshot, confirmed: true })))
export const rollbackVm = (vm: string, checkedAt?: string) =>
  startConfirmed(`Roll back ${vm}`, vm, unwrap(cal().snapshots.rollback({ vm, confirmed: true, checkedAt })))

export const cancelTask = (id: string) => startTask('Cancel task', null, unwrap(cal().tasks.cancel({ id })))

/**
 * Opens a terminal tab and shows it; the Host tab when vm is null. `name` reattaches that tmux session. Null (with
 * the error reported) if it could not open.
 */
export async function openTerminal(vm: string | null, kind: TerminalKind = vm ? 'shell' : 'host', name?: string): Promise<TerminalSession | null> {
  try {
    const session = await unwrap(cal().terminal.open({ vm, kind, name, ...terminalSize() }))
    showSession(session)
    return session
  } catch (err) {
    reportError(err, vm ? `Open a terminal in ${vm}` : 'Open a host terminal', { vm })
    return null
  }
}

/** A Host tab with `command` typed at its prompt, for the user to read and run with Return (nothing runs by itself). */
export async function typeInHostTerminal(command: string): Promise<void> {
  const session = await openTerminal(null, 'host')
  if (!session) return
  // Typed once the shell has drawn its prompt (its output paused for a moment): typed ahead, the tty would echo it
  // above the prompt as well as after it.
  let timer: ReturnType<typeof setTimeout> | undefined
  const type = () => {
    off()
    clearTimeout(timer)
    clearTimeout(cap)
    cal().terminal.input({ id: session.id, data: command })
  }
  let drawing = false
  const off = cal().on('terminal:data', ({ id, data }) => {
    if (id !== session.id) return
    // The tab's own redraw of an empty screen is escape sequences only: the prompt is text.
    drawing ||= hasText(data)
    if (!drawing) return
    clearTimeout(timer)
    timer = setTimeout(type, PROMPT_SETTLE_MS)
  })
  const cap = setTimeout(type, PROMPT_WAIT_MS)
}

// eslint-disable-next-line no-control-regex -- matching ESC is the point: a CSI sequence
const CSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g

function hasText(data: Uint8Array): boolean {
  return new TextDecoder().decode(data).replace(CSI, '').trim().length > 0
}

/** How long a new shell's output must pause to count as its prompt, and the longest wait for one. */
const PROMPT_SETTLE_MS = 150
const PROMPT_WAIT_MS = 5_000

/** Ends a tmux session in the VM and every program in it (asked for in the end-session sheet); a tab showing it closes. */
export async function endSession(vm: string, name: string): Promise<void> {
  const shown = useSessions.getState().sessions.find((s) => s.vm === vm && s.tmuxSession === name)
  try {
    await unwrap(cal().terminal.endSession({ vm, name }))
  } catch (err) {
    reportError(err, `End ${name} in ${vm}`, { vm })
    return
  }
  if (shown) {
    useSessions.getState().remove(shown.id)
    disposeTerm(shown.id)
  }
  useSessions.getState().forgetName(vm, name)
  useUi.getState().pushToast({ id: `end-session:${vm}:${name}`, level: 'success', title: `Ended ${name} in ${vm}`, body: '', error: null, log: [] })
}

function showSession(session: TerminalSession): void {
  const selected = useVms.getState().selected
  const context = contextKey(session.vm ?? selected)
  useSessions.getState().add(session, context)
  if (session.vm) useVms.getState().select(session.vm)
  useUi.getState().setView('terminal')
}

/**
 * Close a tab; whether it closed. A VM tab detaches (its tmux session runs on) and goes at once, before this returns
 * its promise. A Host tab ends its shell: with a program in front of it, the user is asked first.
 */
export async function closeTerminal(id: string): Promise<boolean> {
  const session = useSessions.getState().sessions.find((s) => s.id === id)
  if (session?.kind === 'host' && session.state !== 'closed' && !(await mayEndHostShell(id))) return false
  useSessions.getState().remove(id)
  disposeTerm(id)
  unwrap(cal().terminal.close({ id, mode: 'detach' })).catch((err: unknown) => {
    // Already gone on the engine's side is fine: the tab is closed either way.
    if (!(err instanceof UiError) || err.data.code !== 'TERMINAL_NOT_FOUND') reportError(err, 'Close the terminal tab')
  })
  return true
}

/**
 * Closing a Host tab ends its shell and what runs in front of it (`sleep`, a build, `vim`): a shell on this Mac, not
 * a tmux session that runs on. Asked first when there is such a program; a tab that cannot say (gone already) closes.
 */
async function mayEndHostShell(id: string): Promise<boolean> {
  const program = await unwrap(cal().terminal.program({ id })).then((r) => r.program, () => null)
  if (!program) return true
  return askPower(null, {
    title: `Close this Host tab? ${program} is still running in it.`,
    running: [program],
    consequence: 'A Host tab is a shell on this Mac, not a tmux session in a VM: closing the tab ends the shell and every program it started.',
    confirm: 'Close tab',
  })
}

/** Clear a terminal's scrollback: the page's, and tmux's history in the VM, which a reattached tab would bring back. */
export async function clearScrollback(id: string): Promise<void> {
  clearTermScrollback(id)
  try {
    await unwrap(cal().terminal.clearScrollback({ id }))
  } catch (err) {
    reportError(err, 'Clear the scrollback')
  }
}

/** "Retry now" on a reconnecting tab: the engine tries at once (and ignores it while an attempt is under way). */
export async function retryTerminal(id: string): Promise<void> {
  try {
    await unwrap(cal().terminal.retry({ id }))
  } catch (err) {
    // Closed meanwhile: the tab already says so.
    if (!(err instanceof UiError) || err.data.code !== 'TERMINAL_NOT_FOUND') reportError(err, 'Reconnect the terminal')
  }
}

/** "Start VM" on a tab whose VM is stopped: the tab's attempts go on and reattach once SSH is up. */
export async function startTabVm(id: string): Promise<void> {
  const vm = useSessions.getState().sessions.find((s) => s.id === id)?.vm
  if (vm) await startVm(vm)
}

/** The explicit "forget this VM's host key" action, offered after CAL refused a changed key. */
export async function forgetHostKey(vm: string): Promise<boolean> {
  try {
    await unwrap(cal().terminal.forgetHostKey({ name: vm }))
    useUi.getState().pushToast({
      id: `forget-host-key:${vm}`,
      level: 'success',
      title: `Forgot ${vm}'s host key`,
      body: 'The next connection pins the key the VM presents then.',
      error: null,
      log: [],
    })
    return true
  } catch (err) {
    reportError(err, `Forget ${vm}'s host key`, { vm })
    return false
  }
}

/**
 * The launch confirmation's action. A failure comes back for that sheet to show: a toast would sit under its backdrop,
 * where nothing can be clicked. Should the sheet be gone meanwhile, the failure is reported as usual.
 */
export async function launchAgent(vm: string, snapshot: { backupFirst?: boolean; skipSnapshot?: boolean }): Promise<CalErrorData | null> {
  try {
    const session = await unwrap(cal().agent.launch({ vm, ...snapshot, ...terminalSize() }))
    showSession(session)
    return null
  } catch (err) {
    const dialog = useUi.getState().dialog
    if (dialog?.kind !== 'launch' || dialog.vm !== vm) reportError(err, `Launch the agent in ${vm}`, { vm })
    return errorData(err)
  }
}

export async function openScreenSharing(vm: string): Promise<void> {
  const info = useVms.getState().vms.find((v) => v.name === vm)
  if (!info?.ip) {
    reportError(
      new UiError({ code: 'VM_NOT_RUNNING', message: `${vm} has no IP address yet.`, hint: 'Start the VM and wait until it is running.' }),
      'Open in Screen Sharing',
    )
    return
  }
  await startTask('Open in Screen Sharing', vm, unwrap(cal().shell.openExternal({ url: `vnc://${info.ip}` })))
}

export async function saveSettings(patch: SettingsPatch): Promise<boolean> {
  try {
    useSettings.getState().setView(await unwrap(cal().settings.set(patch)))
    // An earlier failure's toast is answered now: leaving it up would say the settings are still not saved.
    useUi.getState().dismissToast('settings')
    return true
  } catch (err) {
    reportError(err, 'Save settings', { id: 'settings' })
    return false
  }
}

/** Looks for Tart again (the Tart path, else PATH): the app's status, then the workspaces Tart lists. */
async function lookForTart(): Promise<void> {
  useApp.getState().setStatus(await unwrap(cal().app.status()))
  useVms.getState().setVms(await unwrap(cal().vms.list()))
}

/** "Check again". */
export async function refreshStatus(): Promise<void> {
  try {
    await lookForTart()
  } catch (err) {
    reportError(err, 'Check for Tart', { id: 'status' })
  }
}

/**
 * Settings → Tart path: saved, then Tart looked for there at once, as "Check again" does, so that a right path takes
 * effect without a restart or a trip back to the install help. Whether Tart answers there: null when it does (or when
 * the save failed, which saveSettings reported); else the engine's reason (nothing there, a folder, no execute
 * permission), for the field to show.
 */
export async function saveTartPath(path: string): Promise<CalErrorData | null> {
  if (!(await saveSettings({ tartPath: path }))) return null
  try {
    await lookForTart()
    // An earlier "Check for Tart" failure is answered now.
    useUi.getState().dismissToast('status')
    return null
  } catch (err) {
    const e = errorData(err)
    if (e.code === 'TART_NOT_FOUND') return e
    reportError(err, 'Check for Tart', { id: 'status' })
    return null
  }
}
