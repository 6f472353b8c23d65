import { z } from 'zod'
import { boundedString, CheckedAt, LIMITS } from './limits'
import { VmName } from './names'

/** Tart's three states plus the transitions CAL itself is driving. */
export const VmState = z.enum(['running', 'stopped', 'suspended', 'starting', 'stopping', 'error'])
export type VmState = z.infer<typeof VmState>

/** The VM hierarchy from the design docs: cal-clean → cal-dev → cal-init → workspaces; snapshots hang off a VM. */
export const VmRole = z.enum(['clean', 'dev', 'init', 'workspace', 'snapshot'])
export type VmRole = z.infer<typeof VmRole>

export const AgentId = z.enum(['claude', 'opencode', 'cursor'])
export type AgentId = z.infer<typeof AgentId>

export const VmInfo = z.object({
  name: VmName,
  state: VmState,
  role: VmRole,
  os: z.enum(['darwin', 'linux']),
  cpu: z.number().int(),
  memoryMb: z.number().int(),
  /** Apparent disk size in GB, as Tart reports `Disk`. */
  diskGb: z.number(),
  /** Allocated size in GB, as Tart reports `Size`. */
  sizeGb: z.number(),
  display: z.string(),
  ip: z.string().nullable(),
  baseImage: z.string().nullable(),
  agent: AgentId.nullable(),
  createdAt: z.string().nullable(),
  /** When CAL saw it start; null when stopped or unknown. */
  startedAt: z.string().nullable(),
  /**
   * Running, and started by CAL as a macOS VM that can be suspended: a snapshot then pauses it with its programs
   * still running. False otherwise: a snapshot of a running VM shuts it down cleanly and starts it again.
   */
  suspendable: z.boolean(),
  lastSessionSnapshotAt: z.string().nullable(),
  /** Error text for state "error" (e.g. the guest died). */
  error: z.string().nullable(),
})
export type VmInfo = z.infer<typeof VmInfo>

/**
 * What a new VM may be given, checked before anything is pulled or cloned (the app's dialog, `cal create`, the
 * engine's schema). Each image sets its own minimum (`cpuCountMin`, `memorySizeMin`, from the macOS release's
 * requirements), which `tart set` enforces only after the pull and the clone; these floors are below every macOS
 * image's (Tart's own default macOS VM has 2 cores and 4 GB), so they never refuse what an image allows. The disk's
 * is CAL's own (an image's disk only grows).
 */
export const VM_RESOURCES = {
  cpu: { min: 2, max: 64, unit: 'CPU cores', example: 8 },
  memoryMb: { min: 4096, max: 1048576, unit: 'MB', example: 8192 },
  diskGb: { min: 20, max: 4000, unit: 'GB', example: 100 },
} as const
export type VmResource = (typeof VM_RESOURCES)[keyof typeof VM_RESOURCES]

/** A whole number in a resource's range, whose error says the range ("use 2 to 64 CPU cores"). */
export function resourceNumber(r: VmResource) {
  const use = `use ${r.min} to ${r.max} ${r.unit}`
  return z.number({ error: use }).int(use).min(r.min, use).max(r.max, use)
}

export const CreateVmInput = z.object({
  name: VmName,
  image: boundedString(LIMITS.imageRef).min(1).optional(),
  cpu: resourceNumber(VM_RESOURCES.cpu).optional(),
  memoryMb: resourceNumber(VM_RESOURCES.memoryMb).optional(),
  diskGb: resourceNumber(VM_RESOURCES.diskGb).optional(),
  agent: AgentId.optional(),
})
export type CreateVmInput = z.infer<typeof CreateVmInput>

export const VmRef = z.object({ name: VmName })
export const StopVmInput = z.object({ name: VmName, force: z.boolean().default(false) })
/** `checkedAt`: see RestoreSnapshotInput. */
export const DeleteVmInput = z.object({ name: VmName, force: z.boolean().default(false), confirmed: z.boolean().default(false), checkedAt: CheckedAt.optional() })

export const HostStatus = z.object({
  tartFound: z.boolean(),
  tartPath: z.string().nullable(),
  /** The Tart path CAL was started with (`--tart`, or the demo's): it wins over Settings → Tart path. */
  tartPathFixed: z.string().nullable(),
  tartVersion: z.string().nullable(),
  calHome: z.string(),
  runningMacVms: z.number().int(),
  macVmLimit: z.number().int(),
  platform: z.string(),
  appVersion: z.string(),
})
export type HostStatus = z.infer<typeof HostStatus>
