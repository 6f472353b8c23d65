export { applySettingsPatch, migrateSettings, settingsInvalid, type MigrationResult } from './migrate'
export {
  backupSettingsFile,
  createSettingsStore,
  recoverUnreadableSettingsFile,
  type SettingsBackend,
  type SettingsStore,
} from './store'
export { createFileSettingsStore, fileSettingsBackend, settingsPath, SETTINGS_FILE } from './file-store'
export { redactView, settingsHandlers } from './handlers'
