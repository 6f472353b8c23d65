import { create } from 'zustand'
import type { CalErrorData } from '../../../shared/errors'
import type { PowerQuestion } from '../../../shared/power-question'
import type { Snapshot } from '../../../shared/snapshot'
import type { CreateVmInput } from '../../../shared/vm'

/** The main pane's views; "workspace", "snapshots" and "terminal" belong to the selected VM. */
export type View = 'workspace' | 'snapshots' | 'terminal' | 'settings' | 'tasks'

export type SnapshotAction = 'restore' | 'delete' | 'rollback'

export type Dialog =
  /** With the id of the create task the sheet shows once it started, whose end the sheet reports (not a toast). */
  /** `input`: what was asked for, so that a failed create can go back to the form with it. */
  | { kind: 'create'; taskId?: string; input?: CreateVmInput }
  | { kind: 'snapshot-confirm'; action: SnapshotAction; vm: string; snapshot: Snapshot | null }
  | { kind: 'delete-vm'; vm: string }
  | { kind: 'finish-delete'; vm: string }
  | { kind: 'end-session'; vm: string; name: string }
  /** `vm`: null for a question about the host (closing a Host tab). `decide`: told the answer (false when the sheet is closed or replaced any other way than by its confirm button). */
  | { kind: 'power-confirm'; vm: string | null; question: PowerQuestion; decide: (yes: boolean) => void }
  | { kind: 'launch'; vm: string }
  | { kind: 'limit'; vm: string | null; running: string[]; error: CalErrorData }
  | { kind: 'error'; title: string; error: CalErrorData; log: string[] }

/**
 * A power question left unanswered, closed or replaced by another sheet (the VM limit's, shown when a start fails),
 * is a no: whoever waits on the answer (Take snapshot, disabled meanwhile) must not wait for ever. A yes is given
 * before the sheet closes, and the first answer is the one that counts.
 */
function leave(dialog: Dialog | null, next: Dialog | null): void {
  if (dialog?.kind === 'power-confirm' && dialog !== next) dialog.decide(false)
}

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
  /** The selected VM's view that Settings and Activity go back to (Escape there). */
  back: View
  dialog: Dialog | null
  paletteOpen: boolean
  toasts: Toast[]
  setView: (view: View) => void
  /** Leave Settings or Activity for the VM's view they were opened from. */
  goBack: () => void
  openDialog: (dialog: Dialog) => void
  closeDialog: () => void
  setPaletteOpen: (open: boolean) => void
  pushToast: (toast: Toast) => void
  dismissToast: (id: string) => void
}

/** At most this many toasts show at once; a new one pushes the oldest out. */
export const MAX_TOASTS = 3
/** How long a success or info toast stays. */
export const TOAST_MS = 6_000
/** How long an error toast stays once a newer error is shown: the newest stays until dismissed. */
export const STALE_ERROR_MS = 20_000

/**
 * When a toast goes by itself, in ms from now, or null for never: the newest error waits to be read and dismissed;
 * an older one goes after a while (its task's failure stays in Activity), so stale errors do not pile up.
 */
export function toastLifetime(toast: Toast, toasts: readonly Toast[]): number | null {
  if (toast.level !== 'error') return TOAST_MS
  const newestError = toasts.findLast((t) => t.level === 'error')
  return newestError?.id === toast.id ? null : STALE_ERROR_MS
}

export const useUi = create<UiState>((set) => ({
  view: 'workspace',
  back: 'workspace',
  dialog: null,
  paletteOpen: false,
  toasts: [],
  setView: (view) => set((s) => ({ view, back: s.view === 'settings' || s.view === 'tasks' ? s.back : s.view })),
  goBack: () => set((s) => ({ view: s.back })),
  openDialog: (dialog) => set((s) => (leave(s.dialog, dialog), { dialog, paletteOpen: false })),
  closeDialog: () => set((s) => (leave(s.dialog, null), { dialog: null })),
  setPaletteOpen: (paletteOpen) => set({ paletteOpen }),
  pushToast: (toast) =>
    set((s) => ({ toasts: [...s.toasts.filter((t) => t.id !== toast.id), toast].slice(-MAX_TOASTS) })),
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}))
