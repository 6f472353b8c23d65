import { Notification } from 'electron'
import type { NavTarget, Notice } from '../../shared/notify'
import type { Settings } from '../../shared/settings'
import { deliveryFor, isNoticeEnabled } from './policy'

export interface NotifierDeps {
  settings(): Pick<Settings, 'notifications'>
  windowFocused(): boolean
  /** Send the notice to the window as an in-app toast. */
  toast(notice: Notice): void
  /** Show CAL's window at a view (a click on a notification). */
  open(target: NavTarget | null): void
}

/**
 * Shows notices as native notifications, or as toasts while CAL has focus. Each native notification stays
 * referenced until it is closed or clicked: an unreferenced one can be garbage-collected and lose its click.
 */
export class Notifier {
  private readonly live = new Set<Notification>()

  constructor(private readonly deps: NotifierDeps) {}

  show(notice: Notice): void {
    if (!isNoticeEnabled(notice, this.deps.settings())) return
    if (deliveryFor(this.deps.windowFocused()) === 'toast' || !Notification.isSupported()) {
      this.deps.toast(notice)
      return
    }
    const actions = notice.kind === 'vmReady' ? [{ type: 'button' as const, text: 'Open Terminal' }] : []
    const n = new Notification({ title: notice.title, body: notice.body, actions, silent: notice.level !== 'error' })
    this.live.add(n)
    const release = () => this.live.delete(n)
    const open = () => {
      release()
      this.deps.open(notice.target)
    }
    n.on('click', open)
    n.on('action', open)
    n.on('close', release)
    n.on('failed', release)
    n.show()
  }

  /** How many notifications are still on screen (kept referenced). */
  get pending(): number {
    return this.live.size
  }

  dispose(): void {
    for (const n of this.live) n.close()
    this.live.clear()
  }
}
