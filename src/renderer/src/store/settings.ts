import { create } from 'zustand'
import type { SettingsView } from '../../../shared/settings'

type SettingsStore = {
  view: SettingsView | null
  setView: (view: SettingsView) => void
}

export const useSettings = create<SettingsStore>((set) => ({
  view: null,
  setView: (view) => set({ view }),
}))
