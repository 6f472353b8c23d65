import type { CommandHandlers } from '../../shared/api'
import type { SettingsStore } from './store'

export function settingsHandlers(store: SettingsStore): Pick<CommandHandlers, 'settings:get' | 'settings:set'> {
  return {
    'settings:get': async () => store.get(),
    'settings:set': async (patch) => store.set(patch),
  }
}
