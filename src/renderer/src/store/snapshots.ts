import { create } from 'zustand'
import type { DiskUsage, Snapshot } from '../../../shared/snapshot'

type SnapshotStore = {
  byVm: Record<string, Snapshot[]>
  usage: DiskUsage | null
  setList: (vm: string, list: Snapshot[]) => void
  setUsage: (usage: DiskUsage) => void
}

/** Newest first. */
export function sortSnapshots(list: Snapshot[]): Snapshot[] {
  return [...list].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || a.name.localeCompare(b.name))
}

export const useSnapshots = create<SnapshotStore>((set) => ({
  byVm: {},
  usage: null,
  setList: (vm, list) => set((s) => ({ byVm: { ...s.byVm, [vm]: sortSnapshots(list) } })),
  setUsage: (usage) => set({ usage }),
}))

const EMPTY: Snapshot[] = []
export function useVmSnapshots(vm: string | null): Snapshot[] {
  return useSnapshots((s) => (vm ? (s.byVm[vm] ?? EMPTY) : EMPTY))
}
