import { useEffect, useRef, useState } from 'react'
import { toastLifetime, useUi, type Toast } from '../store/ui'
import { Icon } from './icons'
import { forgetHostKey } from '../actions'
import { appHintOf } from '../../../shared/errors'

/**
 * Toasts, announced politely, a few at a time (store/ui.ts): the newest error stays until dismissed and offers the full
 * details; the others go by themselves (toastLifetime), but never while the pointer or the keyboard is on them.
 */
export function Toasts() {
  const toasts = useUi((s) => s.toasts)
  const [hovered, setHovered] = useState(false)
  const [focused, setFocused] = useState(false)
  const region = useRef<HTMLDivElement>(null)
  useEffect(() => {
    // A toast that goes while its button has the focus (its Dismiss clicked) takes the focus with it, and Chromium
    // fires no blur for a removed element: without this, `focused` stayed true and no toast went by itself again.
    if (focused && !region.current?.contains(document.activeElement)) setFocused(false)
  }, [toasts, focused])
  return (
    <div
      ref={region}
      className="toasts"
      role="region"
      aria-label="Notifications"
      aria-live="polite"
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
      onFocus={() => setFocused(true)}
      onBlur={(e) => setFocused(e.currentTarget.contains(e.relatedTarget))}
    >
      {toasts.map((t) => (
        <ToastCard key={t.id} toast={t} lifetime={hovered || focused ? null : toastLifetime(t, toasts)} />
      ))}
    </div>
  )
}

function ToastCard({ toast, lifetime }: { toast: Toast; lifetime: number | null }) {
  const dismiss = useUi((s) => s.dismissToast)
  useEffect(() => {
    if (lifetime === null) return
    const id = setTimeout(() => dismiss(toast.id), lifetime)
    return () => clearTimeout(id)
  }, [toast, lifetime, dismiss])
  return (
    <div className={`toast toast-${toast.level}`} role={toast.level === 'error' ? 'alert' : 'status'} data-testid="toast" data-code={toast.error?.code}>
      <Icon name={toast.level === 'error' ? 'warning' : toast.level === 'success' ? 'check' : 'tasks'} />
      <div className="toast-text">
        <div className="toast-title">{toast.title}</div>
        {toast.body && <div className="toast-body">{toast.body}</div>}
        {toast.error && appHintOf(toast.error) && (
          <div className="toast-hint" data-testid="toast-hint">
            {appHintOf(toast.error)}
          </div>
        )}
        {toast.error?.code === 'SSH_HOST_KEY_MISMATCH' && typeof toast.error.details?.vm === 'string' && (
          <button
            type="button"
            className="link-button"
            data-testid="forget-host-key"
            onClick={() => {
              const vm = toast.error!.details!.vm as string
              dismiss(toast.id)
              void forgetHostKey(vm)
            }}
          >
            Forget host key
          </button>
        )}
        {toast.error && (
          <button
            type="button"
            className="link-button"
            onClick={() => useUi.getState().openDialog({ kind: 'error', title: toast.title, error: toast.error!, log: toast.log })}
          >
            Details…
          </button>
        )}
      </div>
      <button type="button" className="toast-close" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
        <Icon name="close" size={12} />
      </button>
    </div>
  )
}
