import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { SnapshotKind } from '../../shared/snapshot'
import { VmRole, AgentId } from '../../shared/vm'
import { readJson, writeJsonAtomic } from './atomic'
import { calPaths } from './paths'

/** What CAL knows about a Tart VM that Tart does not: role, lineage, times. Keyed by the Tart name. */
export const VmFacts = z.object({
  role: VmRole,
  /** When CAL created it; null for a VM made outside CAL (first recorded by a session snapshot, say). */
  createdAt: z.string().nullable().default(null),
  baseImage: z.string().nullable().default(null),
  agent: AgentId.nullable().default(null),
  /** Guest OS as Tart reported it at create, so a start needs no `tart get` (null: ask Tart). */
  os: z.enum(['darwin', 'linux']).nullable().default(null),
  /** For snapshots: the working VM it belongs to, its user-facing name and kind. */
  parent: z.string().nullable().default(null),
  snapshotName: z.string().nullable().default(null),
  snapshotKind: SnapshotKind.nullable().default(null),
  /** Written before a create's clone, cleared by its last step: left set, the create was cut short (cal killed). */
  incomplete: z.boolean().default(false),
})
export type VmFacts = z.infer<typeof VmFacts>
/** What callers write: fields with a default may be left out. */
export type VmFactsInput = z.input<typeof VmFacts>

export const RunRecord = z.object({
  pid: z.number().int(),
  startedAt: z.string(),
  suspendable: z.boolean(),
  logPath: z.string(),
  ip: z.string().nullable().default(null),
  /** Set when CAL asked the VM to stop or suspend, so an exit is not reported as unexpected. */
  stopRequested: z.boolean().default(false),
})
export type RunRecord = z.infer<typeof RunRecord>

/** CAL's facts under CAL_HOME, each written atomically; a missing or damaged file means "unknown". */
export class FactsStore {
  readonly paths: ReturnType<typeof calPaths>

  constructor(calHome: string) {
    this.paths = calPaths(calHome)
  }

  private factsFile(name: string) {
    return join(this.paths.vmFacts, `${name}.json`)
  }

  private runFile(name: string) {
    return join(this.paths.run, `${name}.json`)
  }

  logPath(name: string) {
    return join(this.paths.logs, `${name}.log`)
  }

  async get(name: string): Promise<VmFacts | null> {
    const parsed = VmFacts.safeParse(await readJson(this.factsFile(name)))
    return parsed.success ? parsed.data : null
  }

  async put(name: string, facts: VmFactsInput): Promise<void> {
    await writeJsonAtomic(this.factsFile(name), VmFacts.parse(facts))
  }

  async update(name: string, patch: Partial<VmFacts>, fallback: () => VmFactsInput): Promise<VmFacts> {
    const next = VmFacts.parse({ ...((await this.get(name)) ?? fallback()), ...patch })
    await this.put(name, next)
    return next
  }

  async remove(name: string): Promise<void> {
    await rm(this.factsFile(name), { force: true })
  }

  /** Every fact file, keyed by Tart name. */
  async all(): Promise<Map<string, VmFacts>> {
    const out = new Map<string, VmFacts>()
    const files = await readdir(this.paths.vmFacts).catch(() => null)
    if (!files) return out
    await Promise.all(
      files
        .filter((f) => f.endsWith('.json'))
        .map(async (f) => {
          const name = f.slice(0, -5)
          const facts = await this.get(name)
          if (facts) out.set(name, facts)
        }),
    )
    return out
  }

  async getRun(name: string): Promise<RunRecord | null> {
    const parsed = RunRecord.safeParse(await readJson(this.runFile(name)))
    return parsed.success ? parsed.data : null
  }

  async putRun(name: string, rec: RunRecord): Promise<void> {
    await writeJsonAtomic(this.runFile(name), rec)
  }

  async removeRun(name: string): Promise<void> {
    await rm(this.runFile(name), { force: true })
  }

  /** Moves CAL's records along with a Tart rename (restore swaps names). */
  async rename(from: string, to: string): Promise<void> {
    const f = await this.get(from)
    if (f) {
      await this.put(to, f)
      await this.remove(from)
    }
  }
}
