import { create } from 'zustand'
import type { CalErrorData } from '../../../shared/errors'
import type { HostStatus } from '../../../shared/vm'

type AppState = {
  status: HostStatus | null
  /** Set when the first load failed entirely (engine unreachable). */
  loadError: CalErrorData | null
  setStatus: (status: HostStatus) => void
  setLoadError: (error: CalErrorData | null) => void
}

export const useApp = create<AppState>((set) => ({
  status: null,
  loadError: null,
  setStatus: (status) => set({ status, loadError: null }),
  setLoadError: (loadError) => set({ loadError }),
}))
