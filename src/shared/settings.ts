import { z } from 'zod'
import { boundedString, LIMITS } from './limits'
import { VmName } from './names'
import { AgentId, resourceNumber, VM_RESOURCES } from './vm'

export const SETTINGS_VERSION = 1

export const NotificationKind = z.enum(['vmReady', 'snapshotDone', 'restoreDone', 'taskFailed', 'vmStoppedUnexpectedly', 'vmLimit', 'terminalBell'])
export type NotificationKind = z.infer<typeof NotificationKind>

const ALL_KINDS_ON = Object.fromEntries(NotificationKind.options.map((k) => [k, true])) as Record<NotificationKind, boolean>

/** A macOS short name. Never anything ssh could read as an option ("-oProxyCommand=…" as user@host). */
export const SshUser = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, 'Use the VM account\'s short name: letters, digits, "_", "." or "-", not starting with "-" or "."')
  .max(64)

export const Settings = z.object({
  version: z.literal(SETTINGS_VERSION).default(SETTINGS_VERSION),
  vmDefaults: z
    .object({
      // The sizes a new VM may have (VM_RESOURCES); a stored size outside them is brought into range on load (migrate.ts).
      cpu: resourceNumber(VM_RESOURCES.cpu).default(4),
      memoryMb: resourceNumber(VM_RESOURCES.memoryMb).default(8192),
      diskGb: resourceNumber(VM_RESOURCES.diskGb).default(80),
      baseImage: boundedString(LIMITS.imageRef).min(1).default('ghcr.io/cirruslabs/macos-sequoia-base:latest'),
    })
    .prefault({}),
  snapshots: z
    .object({
      autoAtSessionStart: z.boolean().default(true),
      keep: z.number().int().min(0).max(100).default(3),
      maxAgeDays: z.number().int().min(0).max(3650).default(7),
    })
    .prefault({}),
  defaultAgent: AgentId.default('claude'),
  /** Per-workspace agent overrides, keyed by VM name. */
  workspaceAgents: z
    .record(VmName, AgentId)
    .refine((agents) => Object.keys(agents).length <= LIMITS.workspaceAgents, `Give at most ${LIMITS.workspaceAgents} workspaces an agent of their own`)
    .default({}),
  ssh: z
    .object({
      user: SshUser.default('admin'),
      /** Used once, for first contact; CAL installs its own key after that. */
      password: boundedString(LIMITS.password).default('admin'),
      unlockKeychain: z.boolean().default(false),
    })
    .prefault({}),
  tartPath: boundedString(LIMITS.path).default(''),
  proxyMode: z.enum(['auto', 'on', 'off']).default('auto'),
  outputFolder: boundedString(LIMITS.path).default(''),
  notifications: z
    .object({
      enabled: z.boolean().default(true),
      // Every kind; a file from before a kind existed gets it switched on (core/settings/migrate.ts).
      kinds: z.record(NotificationKind, z.boolean()).default(ALL_KINDS_ON),
    })
    .prefault({}),
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  showInDock: z.boolean().default(true),
  /** Points, for every terminal tab. */
  terminalFontSize: z.number().int().min(9).max(32).default(13),
  /**
   * The Option key as Meta (Esc+key) in terminals. Off, as in Terminal.app: Option types the characters many
   * keyboard layouts put there (@, |, ~, [ ]). Option+arrows, Option+Enter and Option+Backspace work either way.
   */
  terminalOptionAsMeta: z.boolean().default(false),
})
export type Settings = z.infer<typeof Settings>

type WithoutDefault<T> = T extends z.ZodDefault<infer I> ? I : T extends z.ZodPrefault<infer I> ? I : T
type PatchShape = { [K in keyof typeof Settings.shape]: z.ZodOptional<WithoutDefault<(typeof Settings.shape)[K]>> }

/**
 * A partial update: any subset of top-level keys, each validated in full. A key that is absent stays absent
 * (`Settings.partial()` would fill every missing key with its default and so reset it); unknown keys are refused.
 */
export const SettingsPatch = z
  .object(
    Object.fromEntries(
      Object.entries(Settings.shape).map(([key, schema]) => [
        key,
        (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault ? schema.unwrap() : schema).optional(),
      ]),
    ) as PatchShape,
  )
  .strict()
export type SettingsPatch = z.infer<typeof SettingsPatch>

export const SettingsView = z.object({
  settings: Settings,
  /** Set when the stored file was unreadable and defaults were restored (path of the backup kept). */
  warning: z.string().nullable(),
})
export type SettingsView = z.infer<typeof SettingsView>

export const defaultSettings = (): Settings => Settings.parse({})

/**
 * The agent a workspace launches: the one asked for now, else its Settings → Workspaces choice, else the one picked
 * when the VM was created (`VmInfo.agent`), else the default. The launch, the banner and the overview all ask this,
 * so what the window names is what Launch starts.
 */
export function workspaceAgent(
  settings: Pick<Settings, 'defaultAgent' | 'workspaceAgents'>,
  vm: string,
  chosenAtCreate: AgentId | null = null,
  requested?: AgentId,
): AgentId {
  const override = Object.hasOwn(settings.workspaceAgents, vm) ? settings.workspaceAgents[vm] : undefined
  return requested ?? override ?? chosenAtCreate ?? settings.defaultAgent
}
