import { create } from 'zustand'
import type { VmInfo, VmState } from '../../../shared/vm'

type VmStore = {
  /** Sorted by name; snapshot clones are not workspaces and are left out. */
  vms: VmInfo[]
  /** False until the engine's first VM list arrives: "no workspaces" is only true after that. */
  loaded: boolean
  selected: string | null
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
  setVms: (incoming) =>
    set((s) => {
      const vms = sortVms(incoming)
      // Keep the selection while its VM exists.
      // Otherwise start where the work is: the first running VM, else the first one.
      const fallback = vms.find((v) => v.state === 'running') ?? vms[0]
      const selected = s.selected && vms.some((v) => v.name === s.selected) ? s.selected : (fallback?.name ?? null)
      return { vms, selected, loaded: true }
    }),
  select: (selected) => set({ selected }),
}))

export function useSelectedVm(): VmInfo | null {
  return useVms((s) => s.vms.find((v) => v.name === s.selected) ?? null)
}
