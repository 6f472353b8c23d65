import { homedir } from 'node:os'
import { join } from 'node:path'
import { commandNames, type CommandHandlers, type SendHandlers } from '../shared/api'
import { CalError } from '../shared/errors'
import { EngineEvents } from './events'
import { settingsHandlers, type SettingsStore } from './settings'

export interface EngineOptions {
  /** CAL's own data (default ~/.cal, or CAL_HOME). */
  calHome?: string
  /** The tart executable (default: CAL_TART, else `tart` on PATH). */
  tartPath?: string
  appVersion?: string
  /** Settings shared with the CLI (electron-store in the app, a plain file elsewhere). */
  settings?: SettingsStore
}

export interface Engine {
  handlers: CommandHandlers
  sends: SendHandlers
  events: EngineEvents
  dispose(): Promise<void>
}

export function resolveCalHome(explicit?: string): string {
  return explicit ?? process.env.CAL_HOME ?? join(homedir(), '.cal')
}

export function createEngine(options: EngineOptions = {}): Engine {
  const events = new EngineEvents()
  const calHome = resolveCalHome(options.calHome)
  const pending = (name: string) => async () => {
    throw new CalError('INTERNAL', `${name} is not available in this build.`)
  }
  const handlers = Object.fromEntries(commandNames.map((n) => [n, pending(n)])) as unknown as CommandHandlers
  handlers['app:status'] = async () => ({
    tartFound: false,
    tartPath: null,
    tartVersion: null,
    calHome,
    runningMacVms: 0,
    macVmLimit: 2,
    platform: process.platform,
    appVersion: options.appVersion ?? '0.0.0',
  })
  const disposers: (() => void)[] = []
  if (options.settings) {
    Object.assign(handlers, settingsHandlers(options.settings))
    disposers.push(options.settings.onChange((view) => events.emit('settings:changed', view)))
  }
  const sends: SendHandlers = {
    'terminal:input': () => {},
    'terminal:resize': () => {},
    'terminal:ack': () => {},
  }
  return {
    handlers,
    sends,
    events,
    dispose: async () => {
      for (const d of disposers.splice(0)) d()
    },
  }
}
