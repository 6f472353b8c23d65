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
  setVms: (vms: VmInfo[]) => void
  select: (name: string | null) => void
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
  setVms: (incoming) =>
    set((s) => {
      const vms = sortVms(incoming)
      const exists = (name: string | null) => name !== null && vms.some((v) => v.name === name)
      // Keep the selection while its VM exists; else go back to the one selected before it, if it is still there.
      // Otherwise start where the work is: the first running VM, else the first one.
      const fallback = vms.find((v) => v.state === 'running') ?? vms[0]
      if (exists(s.selected)) return { vms, loaded: true }
      return { vms, selected: exists(s.previous) ? s.previous : (fallback?.name ?? null), previous: null, loaded: true }
    }),
  select: (selected) => set((s) => (selected === s.selected ? {} : { selected, previous: s.selected })),
}))

export function useSelectedVm(): VmInfo | null {
  return useVms((s) => s.vms.find((v) => v.name === s.selected) ?? null)
}
