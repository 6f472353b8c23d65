import type { TerminalState } from '../../../shared/terminal'
import { useNow } from '../hooks/useNow'
import { attemptText, TYPING_KEPT, type ReconnectView } from './reconnect'

export interface TerminalStatusProps {
  state: TerminalState | null
  message: string | null
  /** The window itself lost the engine (browser host): nothing reaches the VM until it is back. */
  linkDown: boolean
  reconnect: ReconnectView | null
  onRetry: () => void
  /** Start the tab's VM (offered when the last attempt found it stopped). */
  onStartVm: () => void
}

/**
 * The card over a terminal that is not connected: what happened and, while the engine reconnects, which attempt
 * comes when, whether typing is kept meanwhile, and "Retry now" (or "Start VM" when the VM is stopped). Only the first line is a live region: a countdown
 * read out every second would drown everything else.
 */
export function TerminalStatus({ state, message, linkDown, reconnect, onRetry, onStartVm }: TerminalStatusProps) {
  const label = linkDown || state === 'reconnecting' ? 'Reconnecting…' : state === 'connecting' ? 'Connecting…' : state === 'closed' ? 'Session ended.' : null
  if (!label) return null
  const note = linkDown ? 'Lost the connection to CAL: what you type is not sent until it is back.' : message
  const retrying = !linkDown && state === 'reconnecting'
  return (
    <div className={`terminal-status ${state === 'closed' && !linkDown ? 'is-closed' : 'is-pending'}`} data-testid="terminal-status">
      <span className="terminal-status-dot" aria-hidden="true" />
      <div className="terminal-status-text">
        <p role="status">
          <strong>{label}</strong>
          {note ? ` ${note}` : ''}
        </p>
        {retrying && reconnect && <AttemptLine key={`${reconnect.attempt}:${reconnect.retryAt ?? 'now'}`} reconnect={reconnect} />}
      </div>
      {retrying && reconnect?.vmStopped && (
        <button type="button" className="button small primary terminal-status-retry" onClick={onStartVm} data-testid="terminal-start-vm">
          Start VM
        </button>
      )}
      {retrying && !reconnect?.vmStopped && (
        <button type="button" className="button small terminal-status-retry" onClick={onRetry} data-testid="terminal-retry">
          Retry now
        </button>
      )}
    </div>
  )
}

/** Keyed by the attempt, so its clock starts when the engine's word arrived. */
function AttemptLine({ reconnect }: { reconnect: ReconnectView }) {
  const now = useNow(250)
  return (
    <>
      <p className="terminal-status-detail" data-testid="terminal-attempt">
        {attemptText(reconnect, now)}
      </p>
      {reconnect.keepsTyping && (
        <p className="terminal-status-detail" data-testid="terminal-typing-kept">
          {TYPING_KEPT}
        </p>
      )}
    </>
  )
}
