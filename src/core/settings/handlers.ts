import type { CommandHandlers } from '../../shared/api'
import type { SettingsView } from '../../shared/settings'
import type { SettingsStore } from './store'

/**
 * Settings as the window sees them: everything but the stored SSH password, which stays in main (the window has no
 * use for it, and it would otherwise sit in the page's memory, its developer tools and every browser-host tab).
 * An empty password in a change keeps the stored one.
 */
export function redactView(view: SettingsView): SettingsView {
  return { ...view, settings: { ...view.settings, ssh: { ...view.settings.ssh, password: '' } } }
}

export function settingsHandlers(store: SettingsStore): Pick<CommandHandlers, 'settings:get' | 'settings:set'> {
  return {
    'settings:get': async () => redactView(store.get()),
    'settings:set': async (patch) => {
      const kept = patch.ssh && patch.ssh.password === '' ? { ...patch, ssh: { ...patch.ssh, password: store.get().settings.ssh.password } } : patch
      return redactView(store.set(kept))
    },
  }
}
