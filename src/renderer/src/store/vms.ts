import { create } from 'zustand'
import type { VmInfo, VmState } from '../../../shared/vm'

type VmStore = {
  /** Sorted by name; snapshot clones are not workspaces and are left out. */
  vms: VmInfo[]
  /** False until the engine's first VM list arrives: "no workspaces" is only true after that. */
  loaded: boolean
  selected: string | null
  /** The one selected before it: where the selection goes back to when its VM goes away (a failed create, a delete). */
  previous: string | null
  /** A workspace being created, selected before Tart lists it: the selection waits for it rather than move on. */
  awaiting: string | null
  /** Running macOS VMs the list leaves out (a snapshot's copy started by hand): they hold one of the two slots. */
  unlisted: string[]
  setVms: (vms: VmInfo[]) => void
  setUnlisted: (names: string[]) => void
  select: (name: string | null) => void
  /** Select `name`, which is being created: the selection stays on it until it is listed or `giveUp(name)`. */
  await: (name: string) => void
  /** The create of `name` ended: if it is not listed, the selection goes where it would have gone without it. */
  giveUp: (name: string) => void
}

/** States that hold one of the host's two macOS VM slots. */
const OCCUPYING: VmState[] = ['running', 'starting', 'stopping']

export function sortVms(vms: VmInfo[]): VmInfo[] {
  return vms.filter((v) => v.role !== 'snapshot').sort((a, b) => a.name.localeCompare(b.name))
}

export function runningVms(vms: VmInfo[]): VmInfo[] {
  return vms.filter((v) => v.os === 'darwin' && OCCUPYING.includes(v.state))
}

export const useVms = create<VmStore>((set) => ({
  vms: [],
  loaded: false,
  selected: null,
  previous: null,
  awaiting: null,
  unlisted: [],
  setUnlisted: (unlisted) => set({ unlisted }),
  setVms: (incoming) =>
    set((s) => {
      const vms = sortVms(incoming)
      if (s.awaiting !== null && s.selected === s.awaiting) {
        return vms.some((v) => v.name === s.awaiting) ? { vms, loaded: true, awaiting: null } : { vms, loaded: true }
      }
      return { vms, loaded: true, ...reselect(vms, s.selected, s.previous) }
    }),
  select: (selected) => set((s) => (selected === s.selected ? {} : { selected, previous: s.selected, awaiting: null })),
  await: (name) => set((s) => ({ selected: name, previous: s.selected === name ? s.previous : s.selected, awaiting: name })),
  giveUp: (name) =>
    set((s) => {
      if (s.awaiting !== name) return {}
      return s.selected === name ? { awaiting: null, ...reselect(s.vms, s.selected, s.previous) } : { awaiting: null }
    }),
}))

/**
 * Keep the selection while its VM exists; else go back to the one selected before it, if it is still there.
 * Otherwise start where the work is: the first running VM, else the first one.
 */
function reselect(vms: VmInfo[], selected: string | null, previous: string | null): Partial<VmStore> {
  const exists = (name: string | null) => name !== null && vms.some((v) => v.name === name)
  if (exists(selected)) return {}
  const fallback = vms.find((v) => v.state === 'running') ?? vms[0]
  return { selected: exists(previous) ? previous : (fallback?.name ?? null), previous: null }
}

export function useSelectedVm(): VmInfo | null {
  return useVms((s) => s.vms.find((v) => v.name === s.selected) ?? null)
}
