import type { CommandHandlers } from '../../shared/api'
import { CalError } from '../../shared/errors'
import type { NavTarget } from '../../shared/notify'
import { ASK_WITHIN_MS, busyWithin, powerQuestion, type PowerAction, type PowerQuestion } from '../../shared/power-question'
import type { TrayAction } from './menu'

type Verbs = 'vms:start' | 'vms:stop' | 'vms:restart' | 'vms:suspend' | 'snapshots:create' | 'snapshots:rollback' | 'vms:sshCommand' | 'terminal:sessions'

/** What tray actions need from the app; injected so the mapping to engine verbs is tested without Electron. */
export interface TrayActionDeps {
  handlers: Pick<CommandHandlers, Verbs>
  /** Show CAL's window, optionally at a view. */
  showWindow(target?: NavTarget): void
  openExternal(url: string): Promise<void>
  copyText(text: string): void
  /** Ends the app (the quit prompt for running tasks lives in the app's before-quit handler). */
  quit(): void
  /** Show a failure to the user (a notification, else the window): `vm` is the VM the item was for. */
  report(title: string, error: CalError, vm: string | null): void
  /**
   * Ask before stopping or restarting a VM in which programs still run, or shutting it down for a snapshot (a native
   * message box); true to go ahead.
   */
  confirm(question: PowerQuestion): Promise<boolean>
}

const nav = (view: NavTarget['view'], vm: string | null = null): NavTarget => ({ view, vm, sessionId: null, taskId: null })

export async function runTrayAction(action: TrayAction, deps: TrayActionDeps): Promise<void> {
  const { handlers } = deps
  try {
    switch (action.kind) {
      case 'vm:start':
        await handlers['vms:start']({ name: action.vm })
        return
      case 'vm:stop':
        if (await mayPower(action.vm, 'stop', deps)) await handlers['vms:stop']({ name: action.vm, force: false })
        return
      case 'vm:restart':
        if (await mayPower(action.vm, 'restart', deps)) await handlers['vms:restart']({ name: action.vm })
        return
      case 'vm:suspend':
        await handlers['vms:suspend']({ name: action.vm })
        return
      case 'vm:snapshot':
        // A VM that cannot be suspended is shut down for the snapshot, which ends its programs: asked as for Stop.
        if (!action.shutsDown || (await mayPower(action.vm, 'snapshot', deps))) await handlers['snapshots:create']({ vm: action.vm, kind: 'manual' })
        return
      case 'vm:rollback':
        return await rollback(action.vm, deps)
      case 'vm:terminal':
        deps.showWindow(nav('terminal', action.vm))
        return
      case 'vm:screenSharing':
        await deps.openExternal(`vnc://${action.ip}`)
        return
      case 'vm:copySsh': {
        const { command } = await handlers['vms:sshCommand']({ name: action.vm })
        deps.copyText(command)
        return
      }
      case 'app:open':
        deps.showWindow()
        return
      case 'app:settings':
        deps.showWindow(nav('settings'))
        return
      case 'app:quit':
        deps.quit()
        return
    }
  } catch (err) {
    deps.report(`${actionLabel(action)} failed`, CalError.from(err), 'vm' in action ? action.vm : null)
  }
}

/** As in the window: programs working in the VM's tmux sessions are named, and the user decides. */
async function mayPower(vm: string, action: PowerAction, deps: TrayActionDeps): Promise<boolean> {
  const busy = await busyWithin(() => deps.handlers['terminal:sessions']({ name: vm }), ASK_WITHIN_MS)
  const question = powerQuestion(vm, action, busy)
  return question === null || (await deps.confirm(question))
}

/**
 * Rolling back destroys work, so the tray never confirms it on the user's behalf: it asks the engine without
 * confirmation, and when the engine wants one (or sees git risk) it opens CAL's snapshots view, where the
 * git safety report is shown and the user confirms.
 */
async function rollback(vm: string, deps: TrayActionDeps): Promise<void> {
  try {
    await deps.handlers['snapshots:rollback']({ vm, confirmed: false })
  } catch (err) {
    const error = CalError.from(err)
    if (error.code === 'CONFIRMATION_REQUIRED' || error.code === 'GIT_RISK') deps.showWindow(nav('snapshots', vm))
    else throw error
  }
}

function actionLabel(action: TrayAction): string {
  const vm = 'vm' in action ? ` ${action.vm}` : ''
  const verbs: Record<TrayAction['kind'], string> = {
    'vm:start': 'Start',
    'vm:stop': 'Stop',
    'vm:restart': 'Restart',
    'vm:suspend': 'Suspend',
    'vm:snapshot': 'Snapshot',
    'vm:rollback': 'Roll back',
    'vm:terminal': 'Open terminal for',
    'vm:screenSharing': 'Screen Sharing for',
    'vm:copySsh': 'Copy SSH command for',
    'app:open': 'Open CAL',
    'app:settings': 'Open settings',
    'app:quit': 'Quit',
  }
  return `${verbs[action.kind]}${vm}`
}
