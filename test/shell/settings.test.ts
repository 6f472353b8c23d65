import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defaultSettings } from '../../src/shared/settings'
import { createEngine } from '../../src/core/engine'
import { applySettingsPatch, createFileSettingsStore, createSettingsStore, migrateSettings, settingsHandlers, type SettingsStore } from '../../src/core/settings'

vi.mock('electron', () => import('./electron-mock'))
const { createElectronSettingsStore } = await import('../../src/main/settings-store')

const homes: string[] = []
const home = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cal-settings-'))
  homes.push(dir)
  return dir
}
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true })
})
const file = (dir: string) => join(dir, 'settings.json')
const backups = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.bak'))

describe('migrateSettings / applySettingsPatch (pure)', () => {
  it('fills defaults for a partial file', () => {
    const r = migrateSettings({ version: 1, theme: 'dark' })
    expect(r.settings).toEqual({ ...defaultSettings(), theme: 'dark' })
    expect(r.resetKeys).toEqual([])
  })

  it('migrates the version-0 layout (the old config.yaml keys)', () => {
    const r = migrateSettings({
      isolation: {
        defaults: { vm: { cpu: 6, memory: 12288, disk_size: 100, base_image: 'ghcr.io/cirruslabs/macos-tahoe-base:latest' } },
        snapshots: { auto_snapshot_on_session_start: false, max_auto_snapshots: 5, auto_cleanup_after_days: 14 },
      },
      output: { sync_dir: '~/cal-output' },
    })
    expect(r.fromVersion).toBe(0)
    expect(r.changed).toBe(true)
    expect(r.settings.vmDefaults).toEqual({ cpu: 6, memoryMb: 12288, diskGb: 100, baseImage: 'ghcr.io/cirruslabs/macos-tahoe-base:latest' })
    expect(r.settings.snapshots).toEqual({ autoAtSessionStart: false, keep: 5, maxAgeDays: 14 })
    expect(r.settings.outputFolder).toBe('~/cal-output')
    expect(r.settings.version).toBe(1)
  })

  it('brings a VM size an older CAL stored (1 core, 1 GB) into the range a VM can be created with, keeping the rest', () => {
    const r = migrateSettings({ version: 1, vmDefaults: { cpu: 1, memoryMb: 1024, diskGb: 9000, baseImage: 'ghcr.io/acme/macos:15' } })
    expect(r.resetKeys).toEqual([])
    expect(r.changed).toBe(true)
    expect(r.settings.vmDefaults).toEqual({ cpu: 2, memoryMb: 4096, diskGb: 4000, baseImage: 'ghcr.io/acme/macos:15' })
    // Not a whole number: not a size at all, so the group is reset (and the file backed up) as any invalid value is.
    expect(migrateSettings({ version: 1, vmDefaults: { cpu: 'four' } }).resetKeys).toEqual(['vmDefaults'])
  })

  it('resets only the invalid keys and says which', () => {
    const r = migrateSettings({ version: 1, theme: 'purple', proxyMode: 'on', bogus: 1 })
    expect(r.resetKeys).toEqual(['theme', 'bogus'])
    expect(r.settings.theme).toBe('system')
    expect(r.settings.proxyMode).toBe('on')
  })

  it('keeps the other notification kinds on when a file lists only some', () => {
    const r = migrateSettings({ version: 1, notifications: { enabled: true, kinds: { vmReady: false } } })
    expect(r.settings.notifications.kinds).toMatchObject({ vmReady: false, taskFailed: true, terminalBell: true })
  })

  it('refuses a file from a newer CAL and a non-object', () => {
    expect(() => migrateSettings({ version: 9 })).toThrow(/newer CAL/)
    expect(() => migrateSettings([1, 2])).toThrow(expect.objectContaining({ code: 'SETTINGS_INVALID' }))
  })

  it('a patch changes only its keys; a bad value is refused with SETTINGS_INVALID and the field', () => {
    const current = { ...defaultSettings(), theme: 'dark' as const }
    expect(applySettingsPatch(current, { proxyMode: 'off' })).toEqual({ ...current, proxyMode: 'off' })
    expect(() => applySettingsPatch(current, { snapshots: { autoAtSessionStart: true, keep: -1, maxAgeDays: 7 } })).toThrow(
      expect.objectContaining({ code: 'SETTINGS_INVALID', details: { field: 'snapshots.keep' } }),
    )
    expect(() => applySettingsPatch(current, { colour: 'red' })).toThrow(expect.objectContaining({ code: 'SETTINGS_INVALID' }))
  })
})

const stores: [string, (dir: string) => SettingsStore][] = [
  ['file store (CLI, browser host)', createFileSettingsStore],
  ['electron-store (app)', createElectronSettingsStore],
]

describe.each(stores)('%s', (_name, create) => {
  it('starts from defaults without a file, and writes CAL_HOME/settings.json on set', () => {
    const dir = home()
    const store = create(dir)
    expect(store.get()).toEqual({ settings: defaultSettings(), warning: null })
    const view = store.set({ theme: 'light', ssh: { user: 'me', password: 'pw', unlockKeychain: false } })
    expect(view.settings).toMatchObject({ theme: 'light', ssh: { user: 'me' }, proxyMode: 'auto' })
    expect(JSON.parse(readFileSync(file(dir), 'utf8'))).toMatchObject({ theme: 'light', version: 1 })
    expect(create(dir).get().settings.theme).toBe('light')
  })

  it('refuses an invalid value with SETTINGS_INVALID and changes nothing', () => {
    const dir = home()
    const store = create(dir)
    store.set({ theme: 'dark' })
    expect(() => store.set({ vmDefaults: { cpu: 999, memoryMb: 8192, diskGb: 80, baseImage: 'x' } })).toThrow(expect.objectContaining({ code: 'SETTINGS_INVALID' }))
    // An SSH user ssh would read as an option (user@host is its last argument but one).
    expect(() => store.set({ ssh: { user: '-oProxyCommand=touch /tmp/x', password: 'pw', unlockKeychain: false } })).toThrow(expect.objectContaining({ code: 'SETTINGS_INVALID' }))
    expect(store.get().settings).toEqual({ ...defaultSettings(), theme: 'dark' })
  })

  it('keeps a corrupt file aside as a backup and restores defaults with a visible warning', () => {
    const dir = home()
    writeFileSync(file(dir), '{"theme": "dark", oops')
    const store = create(dir)
    const view = store.get()
    // The defaults, but no snapshot is deleted on its own: the unreadable file may have kept them all (keep 0).
    expect(view.settings).toEqual({ ...defaultSettings(), snapshots: { ...defaultSettings().snapshots, keep: 0, maxAgeDays: 0 } })
    expect(view.warning).toMatch(/could not be read.*kept as .*settings\.json\.corrupt-.*\.bak and the defaults were restored, with automatic snapshot deletion off until you set it again/)
    // Saved so: the next process, which sees no warning, does not delete either.
    expect(create(dir).get()).toEqual({ settings: view.settings, warning: null })
    const [backup] = backups(dir)
    expect(readFileSync(join(dir, backup!), 'utf8')).toBe('{"theme": "dark", oops')
    expect(store.get().warning).toBe(view.warning)
  })

  it('resets invalid values with a warning, keeping the original file', () => {
    const dir = home()
    writeFileSync(file(dir), JSON.stringify({ version: 1, theme: 'purple', proxyMode: 'off' }))
    const view = create(dir).get()
    expect(view.settings).toMatchObject({ theme: 'system', proxyMode: 'off' })
    expect(view.warning).toMatch(/theme/)
    expect(view.warning).not.toMatch(/snapshot deletion/)
    expect(view.settings.snapshots).toEqual(defaultSettings().snapshots)
    expect(backups(dir)).toHaveLength(1)
  })

  it('turns automatic snapshot deletion off when the retention settings were the invalid ones', () => {
    const dir = home()
    writeFileSync(file(dir), JSON.stringify({ version: 1, snapshots: { autoAtSessionStart: true, keep: 'all', maxAgeDays: 0 } }))
    const view = create(dir).get()
    expect(view.settings.snapshots).toEqual({ autoAtSessionStart: true, keep: 0, maxAgeDays: 0 })
    expect(view.warning).toMatch(/\(snapshots\) and were reset to their defaults, with automatic snapshot deletion off/)
  })

  it('notifies on change', () => {
    const store = create(home())
    const seen: string[] = []
    const off = store.onChange((v) => seen.push(v.settings.theme))
    store.set({ theme: 'dark' })
    off()
    store.set({ theme: 'light' })
    expect(seen).toEqual(['dark'])
  })
})

describe('engine wiring', () => {
  it('settings:get/settings:set come from the store and settings:changed is emitted', async () => {
    const store = createFileSettingsStore(home())
    const engine = createEngine({ settings: store, calHome: home() })
    const changed = vi.fn()
    engine.events.on('settings:changed', changed)
    // What the window sees: the settings, but never the stored SSH password.
    const defaults = defaultSettings()
    expect((await engine.handlers['settings:get']({})).settings).toEqual({ ...defaults, ssh: { ...defaults.ssh, password: '' } })
    expect(store.get().settings.ssh.password).toBe('admin')
    await engine.handlers['settings:set']({ proxyMode: 'on' })
    expect(changed).toHaveBeenCalledWith(expect.objectContaining({ settings: expect.objectContaining({ proxyMode: 'on', ssh: expect.objectContaining({ password: '' }) }) }))
    await engine.dispose()
    expect(Object.keys(settingsHandlers(store))).toEqual(['settings:get', 'settings:set'])
  })
})

describe('the settings file watcher', () => {
  it('survives a file that can be neither read nor moved aside: no throw into the watcher, the last settings stay', () => {
    let fire: () => void = () => {}
    let broken = false
    const store = createSettingsStore({
      path: join(tmpdir(), 'cal-no-such-dir', 'settings.json'),
      read: () => {
        if (broken) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })
        return undefined
      },
      write: () => undefined,
      watch: (fn) => {
        fire = fn
        return () => undefined
      },
    })
    const seen: unknown[] = []
    store.onChange((v) => seen.push(v))
    broken = true
    // Without the guard, load's attempt to move the unreadable file aside (it is not there) throws out of the watcher.
    expect(() => fire()).not.toThrow()
    expect(seen).toEqual([])
  })
})

