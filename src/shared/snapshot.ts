import { z } from 'zod'
import { CheckedAt } from './limits'
import { SnapshotName, VmName } from './names'

/** manual: made by the user; session: taken at an agent session start; init: after first-time setup. */
export const SnapshotKind = z.enum(['manual', 'session', 'init'])
export type SnapshotKind = z.infer<typeof SnapshotKind>

export const Snapshot = z.object({
  /** The snapshot's own name, as the user gave it (unique per VM). */
  name: SnapshotName,
  vm: VmName,
  /** The Tart VM that holds it (a clone). */
  tartName: z.string(),
  kind: SnapshotKind,
  createdAt: z.string(),
  /** Allocated GB as Tart reports it. */
  sizeGb: z.number(),
})
export type Snapshot = z.infer<typeof Snapshot>

/** A restore or rollback under way: its task, and the snapshot it restores (a rollback's is the engine's choice). */
export const RestoreStarted = z.object({ taskId: z.string(), snapshot: SnapshotName })
export type RestoreStarted = z.infer<typeof RestoreStarted>

export const DiskUsage = z.object({
  totalGb: z.number(),
  freeGb: z.number().nullable(),
  vms: z.array(
    z.object({
      name: z.string(),
      sizeGb: z.number(),
      snapshotsGb: z.number(),
      snapshotCount: z.number().int(),
      /**
       * What a restore left beside the VM (its copy from before the restore, whose deletion failed, or a clone under
       * way): hidden from the VM list, counted here, removed by the VM's next restore.
       */
      leftoverGb: z.number().default(0),
      /**
       * The VM itself is no longer in Tart's list: what is counted is what a delete cut short left of it (its
       * snapshots), which deleting the VM again finishes.
       */
      deleted: z.boolean().default(false),
    }),
  ),
})
export type DiskUsage = z.infer<typeof DiskUsage>

export const SnapshotRef = z.object({ vm: VmName, snapshot: SnapshotName })
export const CreateSnapshotInput = z.object({ vm: VmName, name: SnapshotName.optional(), kind: SnapshotKind.default('manual') })
/**
 * Destructive verbs need `confirmed: true` once the git safety report has been shown. `checkedAt`, the shown report's,
 * says which report the yes was given to: the engine then checks again and refuses if more is at risk by now.
 */
export const RestoreSnapshotInput = z.object({ vm: VmName, snapshot: SnapshotName, confirmed: z.boolean().default(false), checkedAt: CheckedAt.optional() })
export const DeleteSnapshotInput = RestoreSnapshotInput
export const RollbackInput = z.object({ vm: VmName, confirmed: z.boolean().default(false), checkedAt: CheckedAt.optional() })
