import Store from 'electron-store'
import { settingsPath, SETTINGS_FILE } from '../core/settings/file-store'
import { createSettingsStore, recoverUnreadableSettingsFile, type SettingsStore } from '../core/settings/store'
import type { Settings } from '../shared/settings'

/**
 * Settings in the app: electron-store on CAL_HOME/settings.json (the file the CLI uses), watched so a change
 * made with `cal` shows up in the app. Validation, migration and recovery are the engine's (src/core/settings).
 */
export function createElectronSettingsStore(calHome: string): SettingsStore {
  // electron-store cannot open a file that is not JSON: keep such a file aside before it tries.
  const warning = recoverUnreadableSettingsFile(settingsPath(calHome))
  const store = new Store<Record<string, unknown>>({
    cwd: calHome,
    name: SETTINGS_FILE.replace(/\.json$/, ''),
    configFileMode: 0o600,
    watch: true,
    clearInvalidConfig: false,
  })
  return createSettingsStore(
    {
      path: store.path,
      read: () => {
        const value = store.store
        return Object.keys(value).length === 0 ? undefined : value
      },
      write: (settings: Settings) => {
        store.store = settings
      },
      watch: (fn) => store.onDidAnyChange(() => fn()),
    },
    warning,
  )
}
