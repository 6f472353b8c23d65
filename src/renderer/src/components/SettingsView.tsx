import { useState } from 'react'
import type { AgentId, HostStatus } from '../../../shared/vm'
import { SshUser, type NotificationKind, type Settings } from '../../../shared/settings'
import { useSettings } from '../store/settings'
import { useEscapeBack } from '../hooks/useEscapeBack'
import { useVms } from '../store/vms'
import { saveSettings, saveTartPath } from '../actions'
import { useApp } from '../store/app'
import { baseImageError } from '../validate'
import { memoryGb, memoryMb, VM_FIELDS } from '../format'
import { AGENT_LABEL } from './StatusBanner'
import { Group, NumberSetting, SelectSetting, TextSetting, ToggleSetting } from './SettingFields'

const AGENTS = Object.entries(AGENT_LABEL) as Array<[AgentId, string]>

const NOTIFICATION_LABEL: Record<NotificationKind, string> = {
  vmReady: 'A VM is ready',
  snapshotDone: 'A snapshot is done',
  restoreDone: 'A restore is done',
  taskFailed: 'A task failed',
  vmStoppedUnexpectedly: 'A VM stopped unexpectedly',
  vmLimit: 'The two-VM limit was reached',
  terminalBell: 'A terminal rang the bell while CAL was in the background (an agent waiting for you)',
}

/** What an empty Tart path means now: the app's own finding, not a promise that Tart is on PATH. */
export function tartPathPlaceholder(status: HostStatus | null): string {
  if (!status) return 'Looking for Tart…'
  if (!status.tartFound) return 'Not found on PATH: type the path to tart'
  return status.tartPath && status.tartPath !== 'tart' ? `Found: ${status.tartPath}` : 'Found on PATH'
}

/** With a Tart path given when CAL started (`--tart`, the demo's simulated Tart), a path saved here waits: the field says so. */
export function tartPathHelp(status: HostStatus | null): string | undefined {
  if (!status?.tartPathFixed) return undefined
  return `CAL was started with a Tart path of its own (${status.tartPathFixed}), so it uses that Tart. A path saved here applies when CAL starts without one.`
}

/** Every key the settings store holds; each change is saved as one validated top-level patch. */
export function SettingsView() {
  const view = useSettings((s) => s.view)
  const vms = useVms((s) => s.vms)
  const status = useApp((s) => s.status)
  // The engine's reason why Tart does not answer at the Tart path just saved.
  const [tartProblem, setTartProblem] = useState('')
  const pane = useEscapeBack()
  if (!view) return <div className="pane-scroll">Loading settings…</div>
  const s = view.settings
  const set = <K extends keyof Settings>(key: K, value: Settings[K]) => void saveSettings({ [key]: value })
  return (
    <div ref={pane} tabIndex={-1} className="pane-scroll settings" data-testid="settings-view">
      {view.warning && (
        <div className="callout callout-warning" role="alert">
          {view.warning}
        </div>
      )}
      <Group title="General">
        <SelectSetting label="Appearance" value={s.theme} options={[['system', 'System'], ['light', 'Light'], ['dark', 'Dark']]} onChange={(v) => set('theme', v)} />
        <ToggleSetting label="Show in Dock" checked={s.showInDock} onChange={(v) => set('showInDock', v)} help="Off keeps CAL in the menu bar only." />
        <SelectSetting label="Default agent" value={s.defaultAgent} options={AGENTS} onChange={(v) => set('defaultAgent', v)} />
        <NumberSetting label="Terminal font size" unit="pt" value={s.terminalFontSize} min={9} max={32} onCommit={(v) => set('terminalFontSize', v)} />
        <ToggleSetting
          label="Use Option as Meta key in terminals"
          checked={s.terminalOptionAsMeta}
          onChange={(v) => set('terminalOptionAsMeta', v)}
          help="On: Option+B, F and D move and delete words. Off: Option types characters such as @, | and ~ on many keyboards."
        />
      </Group>
      <Group title="New workspace defaults">
        <TextSetting
          label="Base image"
          value={s.vmDefaults.baseImage}
          validate={(v) => {
            const problem = baseImageError(v)
            return problem ? `Not saved: ${problem}` : ''
          }}
          onCommit={(v) => set('vmDefaults', { ...s.vmDefaults, baseImage: v.trim() })}
        />
        <NumberSetting label="CPU cores" value={s.vmDefaults.cpu} {...VM_FIELDS.cpu} onCommit={(v) => set('vmDefaults', { ...s.vmDefaults, cpu: v })} />
        <NumberSetting
          label="Memory"
          unit="GB"
          value={memoryGb(s.vmDefaults.memoryMb)}
          {...VM_FIELDS.memoryGb}
          onCommit={(v) => set('vmDefaults', { ...s.vmDefaults, memoryMb: memoryMb(v) })}
        />
        <NumberSetting label="Disk" unit="GB" value={s.vmDefaults.diskGb} {...VM_FIELDS.diskGb} onCommit={(v) => set('vmDefaults', { ...s.vmDefaults, diskGb: v })} />
      </Group>
      <Group title="Snapshots">
        <ToggleSetting label="Snapshot at every agent session start" checked={s.snapshots.autoAtSessionStart} onChange={(v) => set('snapshots', { ...s.snapshots, autoAtSessionStart: v })} />
        <NumberSetting
          label="Session snapshots to keep"
          value={s.snapshots.keep}
          min={0}
          max={100}
          onCommit={(v) => set('snapshots', { ...s.snapshots, keep: v })}
          // The engine's retention skips the count rule at 0 (core/snapshots/retention.ts): only the age limit applies.
          help="0 = no limit on the count (the age limit below still applies)."
        />
        <NumberSetting label="Delete session snapshots after" unit="days" value={s.snapshots.maxAgeDays} min={0} max={3650} onCommit={(v) => set('snapshots', { ...s.snapshots, maxAgeDays: v })} help="0 = no age limit." />
      </Group>
      <Group title="Connection">
        <TextSetting
          label="SSH user"
          value={s.ssh.user}
          validate={(v) => (SshUser.safeParse(v).success ? '' : 'Not saved: use the VM account\'s short name (letters, digits, "_", "." or "-", not starting with "-" or ".").')}
          onCommit={(v) => set('ssh', { ...s.ssh, user: v })}
        />
        <TextSetting label="First-contact password" type="password" value={s.ssh.password} placeholder="Saved: type to replace it" onCommit={(v) => set('ssh', { ...s.ssh, password: v })} help="Used once; CAL installs its own key after that. CAL keeps it and never shows it." />
        <ToggleSetting label="Unlock the keychain at login" checked={s.ssh.unlockKeychain} onChange={(v) => set('ssh', { ...s.ssh, unlockKeychain: v })} />
        {/* No Proxy control: the proxy modes (seeds) are not built, and a setting that changes nothing misleads. The
            setting stays in the file for when they are. */}
        <TextSetting
          label="Tart path"
          value={s.tartPath}
          placeholder={tartPathPlaceholder(status)}
          help={tartPathHelp(status)}
          // Said only while it is so: once Tart answers (Check again, a fixed install), the line goes.
          problem={status?.tartFound ? '' : tartProblem}
          onCommit={(v) => {
            setTartProblem('')
            void saveTartPath(v).then((missing) => setTartProblem(missing?.message ?? ''))
          }}
        />
        <TextSetting label="Output folder" value={s.outputFolder} placeholder="Not set" onCommit={(v) => set('outputFolder', v)} />
      </Group>
      <Group title="Notifications">
        <ToggleSetting label="Notifications" checked={s.notifications.enabled} onChange={(v) => set('notifications', { ...s.notifications, enabled: v })} />
        {(Object.keys(NOTIFICATION_LABEL) as NotificationKind[]).map((kind) => (
          <ToggleSetting
            key={kind}
            label={NOTIFICATION_LABEL[kind]}
            checked={s.notifications.kinds[kind] ?? true}
            disabled={!s.notifications.enabled}
            onChange={(v) => set('notifications', { ...s.notifications, kinds: { ...s.notifications.kinds, [kind]: v } })}
          />
        ))}
      </Group>
      {vms.length > 0 && (
        <Group title="Agent per workspace">
          {vms.slice(0, 50).map((vm) => (
            <SelectSetting
              key={vm.name}
              label={vm.name}
              value={(Object.hasOwn(s.workspaceAgents, vm.name) ? s.workspaceAgents[vm.name] : undefined) ?? 'default'}
              options={[['default', `Default (${AGENT_LABEL[s.defaultAgent]})`], ...AGENTS]}
              onChange={(v) => {
                const next = { ...s.workspaceAgents }
                if (v === 'default') delete next[vm.name]
                else next[vm.name] = v as AgentId
                set('workspaceAgents', next)
              }}
            />
          ))}
        </Group>
      )}
    </div>
  )
}
