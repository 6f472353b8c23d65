import { create } from 'zustand'
import type { CalErrorData } from '../../../shared/errors'
import type { HostStatus } from '../../../shared/vm'

type AppState = {
  status: HostStatus | null
  /** Set when the first load failed entirely (engine unreachable). */
  loadError: CalErrorData | null
  /** The browser host's page lost its connection to the engine and is reconnecting (see 'app:link'). */
  linkDown: boolean
  setStatus: (status: HostStatus) => void
  setLoadError: (error: CalErrorData | null) => void
  setLinkDown: (down: boolean) => void
}

export const useApp = create<AppState>((set) => ({
  status: null,
  loadError: null,
  linkDown: false,
  setStatus: (status) => set({ status, loadError: null }),
  setLoadError: (loadError) => set({ loadError }),
  setLinkDown: (linkDown) => set({ linkDown }),
}))
