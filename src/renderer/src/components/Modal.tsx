import { useEffect, useId, useRef, type ReactNode } from 'react'

type Props = {
  title: ReactNode
  onClose: () => void
  children: ReactNode
  footer?: ReactNode
  wide?: boolean
  /** Work started here is under way: Escape does not close the sheet, which would only hide that work, not stop it. */
  busy?: boolean
  testId?: string
}

/**
 * A sheet built on the native <dialog>: showModal() gives focus containment, Escape and an inert
 * background for free, which is what assistive technology expects of a modal.
 */
export function Modal({ title, onClose, children, footer, wide, busy = false, testId }: Props) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  useEffect(() => {
    const dialog = ref.current
    // What had focus before the sheet (a terminal, a button): the sheet's own fields are not shown yet, so none
    // of them can have it.
    const opener = document.activeElement
    if (dialog && !dialog.open) dialog.showModal()
    // showModal() focuses the sheet's first control, which React's autoFocus (a focus() call while the sheet was still
    // hidden) cannot win against: a control marked data-autofocus takes the focus after it (the limit sheet's Close,
    // not the "Stop" button above it).
    dialog?.querySelector<HTMLElement>('[data-autofocus]')?.focus()
    return () => {
      dialog?.close()
      // React has already taken the <dialog> out of the page when this runs, so the browser does not give focus
      // back as close() would: without this it lands on <body>, where keys reach nothing (and on Linux a Ctrl+W
      // meant for the shell would close the tab). Focus that an action put elsewhere on purpose stays there.
      const now = document.activeElement
      if (now === null || now === document.body) restoreFocus(opener)
    }
  }, [])
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    // The focused button was disabled (Launching…, a Stop under way in the limit sheet) or removed: the browser drops
    // the focus to <body>, behind the sheet, where keys reach nothing. The sheet holds it until one of its own
    // controls takes it (Cancel when the action was refused, Start once a slot is free). A native listener: React
    // does not pass on the focusout of a button it is removing or disabling in the middle of its commit.
    const hold = (e: FocusEvent) => {
      if (e.relatedTarget !== null) return
      // Once the work that moved the focus is done (a sheet closing and removed is not held).
      queueMicrotask(() => {
        const now = document.activeElement
        if (dialog.open && dialog.isConnected && (now === null || now === document.body)) dialog.focus({ preventScroll: true })
      })
    }
    dialog.addEventListener('focusout', hold)
    return () => dialog.removeEventListener('focusout', hold)
  }, [])
  useEffect(() => {
    if (!busy) return
    // Refusing the cancel event is not enough: Chromium closes the dialog on a second Escape with no click in between.
    // An Escape keydown refused outright never becomes a close request. On the document, since the busy sheet's
    // focused button may have been disabled, leaving the focus on <body>.
    const refuseEscape = (e: KeyboardEvent) => {
      if (e.key === 'Escape') e.preventDefault()
    }
    document.addEventListener('keydown', refuseEscape, true)
    return () => document.removeEventListener('keydown', refuseEscape, true)
  }, [busy])
  return (
    <dialog
      ref={ref}
      className={wide ? 'sheet sheet-wide' : 'sheet'}
      aria-labelledby={titleId}
      data-testid={testId}
      aria-busy={busy}
      // The sheet itself can hold the keyboard (see the focusout listener), never as a Tab stop.
      tabIndex={-1}
      onCancel={(e) => {
        e.preventDefault()
        if (!busy) onClose()
      }}
    >
      <h2 id={titleId} className="sheet-title">
        {title}
      </h2>
      <div className="sheet-body">{children}</div>
      {footer && <div className="sheet-footer">{footer}</div>}
    </dialog>
  )
}

const FOCUSABLE = 'button:not(:disabled), [href], input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])'

/**
 * Gives the focus back to what opened a sheet. When that is gone (a palette command switched the view) or can no
 * longer take it (its VM stopped, so Launch agent is disabled), focus goes to the nearest control still there: the
 * opener's toolbar, else the main view, rather than <body>.
 */
export function restoreFocus(opener: Element | null): void {
  if (takeFocus(opener)) return
  const scopes = [opener?.isConnected ? opener.closest('[role="toolbar"]') : null, document.querySelector('main')]
  for (const scope of scopes) {
    // Tab stops only: a roving tabindex's other tabs (tabIndex -1) are not where Tab would have led.
    const candidates = scope ? Array.from(scope.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => el.tabIndex >= 0) : []
    if (candidates.some(takeFocus)) return
  }
}

/** Focuses `el` when it is in the page, shown and a control; whether it now has the focus. */
export function takeFocus(el: Element | null | undefined): boolean {
  if (!(el instanceof HTMLElement) || !el.isConnected || !el.matches(FOCUSABLE)) return false
  el.focus()
  return document.activeElement === el
}

type ConfirmProps = {
  onCancel: () => void
  onConfirm: () => void
  label: ReactNode
  /** Red for what cannot be undone; blue otherwise. */
  destructive?: boolean
  disabled?: boolean
  /**
   * The action is under way and can no longer be called back: both buttons wait (pass the same to the Modal, so
   * Escape waits too). A Cancel then would only close the sheet while the action went ahead.
   */
  busy?: boolean
  testId?: string
}

/** A confirmation sheet's footer: Cancel (focused, so Return does not destroy by accident) and the action. */
export function ConfirmFooter({ onCancel, onConfirm, label, destructive = true, disabled, busy = false, testId }: ConfirmProps) {
  const cancelRef = useRef<HTMLButtonElement>(null)
  const wasBusy = useRef(busy)
  useEffect(() => {
    const ended = wasBusy.current && !busy
    wasBusy.current = busy
    if (!ended) return
    // The action's button, disabled while it ran, dropped the focus to <body>, where keys reach nothing: the sheet is
    // still open (the action was refused), so the focus goes back to Cancel, where it started (from the sheet itself,
    // which held it meanwhile).
    const now = document.activeElement
    if (now === null || now === document.body || now === cancelRef.current?.closest('dialog')) cancelRef.current?.focus()
  }, [busy])
  return (
    <>
      <button ref={cancelRef} type="button" className="button" onClick={onCancel} disabled={busy} autoFocus>
        Cancel
      </button>
      <button type="button" className={destructive ? 'button destructive' : 'button primary'} onClick={onConfirm} disabled={disabled || busy} aria-busy={busy} data-testid={testId}>
        {label}
      </button>
    </>
  )
}
