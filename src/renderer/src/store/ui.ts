import { create } from 'zustand'
import type { CalErrorData } from '../../../shared/errors'
import type { PowerAction, PowerQuestion } from '../../../shared/power-question'
import type { Snapshot } from '../../../shared/snapshot'

/** The main pane's views; "workspace", "snapshots" and "terminal" belong to the selected VM. */
export type View = 'workspace' | 'snapshots' | 'terminal' | 'settings' | 'tasks'

export type SnapshotAction = 'restore' | 'delete' | 'rollback'

export type Dialog =
  | { kind: 'create' }
  | { kind: 'snapshot-confirm'; action: SnapshotAction; vm: string; snapshot: Snapshot | null }
  | { kind: 'delete-vm'; vm: string }
  | { kind: 'end-session'; vm: string; name: string }
  | { kind: 'power-confirm'; vm: string; action: PowerAction; question: PowerQuestion }
  | { kind: 'launch'; vm: string }
  | { kind: 'limit'; vm: string | null; running: string[]; error: CalErrorData }
  | { kind: 'error'; title: string; error: CalErrorData; log: string[] }

export type Toast = {
  /** Stable per cause (e.g. "task:ID"), so the same failure reported twice shows once. */
  id: string
  level: 'info' | 'success' | 'error'
  title: string
  body: string
  error: CalErrorData | null
  log: string[]
}

type UiState = {
  view: View
  dialog: Dialog | null
  paletteOpen: boolean
  toasts: Toast[]
  setView: (view: View) => void
  openDialog: (dialog: Dialog) => void
  closeDialog: () => void
  setPaletteOpen: (open: boolean) => void
  pushToast: (toast: Toast) => void
  dismissToast: (id: string) => void
}

const MAX_TOASTS = 4

export const useUi = create<UiState>((set) => ({
  view: 'workspace',
  dialog: null,
  paletteOpen: false,
  toasts: [],
  setView: (view) => set({ view }),
  openDialog: (dialog) => set({ dialog, paletteOpen: false }),
  closeDialog: () => set({ dialog: null }),
  setPaletteOpen: (paletteOpen) => set({ paletteOpen }),
  pushToast: (toast) =>
    set((s) => ({ toasts: [...s.toasts.filter((t) => t.id !== toast.id), toast].slice(-MAX_TOASTS) })),
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}))
