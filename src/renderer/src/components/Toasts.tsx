import { useEffect } from 'react'
import { useUi, type Toast } from '../store/ui'
import { Icon } from './icons'
import { forgetHostKey } from '../actions'

const AUTO_DISMISS_MS = 6000

/** Toasts, announced politely; errors stay until dismissed and offer the full details. */
export function Toasts() {
  const toasts = useUi((s) => s.toasts)
  return (
    <div className="toasts" role="region" aria-label="Notifications" aria-live="polite">
      {toasts.map((t) => (
        <ToastCard key={t.id} toast={t} />
      ))}
    </div>
  )
}

function ToastCard({ toast }: { toast: Toast }) {
  const dismiss = useUi((s) => s.dismissToast)
  useEffect(() => {
    if (toast.level === 'error') return
    const id = setTimeout(() => dismiss(toast.id), AUTO_DISMISS_MS)
    return () => clearTimeout(id)
  }, [toast, dismiss])
  return (
    <div className={`toast toast-${toast.level}`} role={toast.level === 'error' ? 'alert' : 'status'} data-testid="toast" data-code={toast.error?.code}>
      <Icon name={toast.level === 'error' ? 'warning' : toast.level === 'success' ? 'check' : 'tasks'} />
      <div className="toast-text">
        <div className="toast-title">{toast.title}</div>
        {toast.body && <div className="toast-body">{toast.body}</div>}
        {toast.error?.hint && (
          <div className="toast-hint" data-testid="toast-hint">
            {toast.error.hint}
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
