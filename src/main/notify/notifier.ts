import { Notification } from 'electron'
import type { NavTarget, Notice } from '../../shared/notify'
import type { Settings } from '../../shared/settings'
import { deliveryFor, isNoticeEnabled } from './policy'

/** Native notifications kept referenced at most (see showNative). */
export const MAX_LIVE = 50

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
    this.showNative(notice)
  }

  /**
   * The failure of something the user just asked for (a tray item): it must reach them, so when notifications are
   * turned off (that kind, or all of them) or cannot be shown, CAL's window opens at the notice's view with it as a toast.
   */
  report(notice: Notice): void {
    const inWindow = () => {
      if (!this.deps.windowFocused()) this.deps.open(notice.target)
      this.deps.toast(notice)
    }
    if (!this.deps.windowFocused() && isNoticeEnabled(notice, this.deps.settings()) && Notification.isSupported()) this.showNative(notice, inWindow)
    else inWindow()
  }

  private showNative(notice: Notice, onFailed: () => void = () => {}): void {
    const actions = notice.kind === 'vmReady' && notice.target?.view === 'terminal' ? [{ type: 'button' as const, text: 'Open Terminal' }] : []
    const n = new Notification({ title: notice.title, body: notice.body, actions, silent: notice.level !== 'error' })
    const release = () => this.live.delete(n)
    const open = () => {
      release()
      this.deps.open(notice.target)
    }
    n.on('click', open)
    n.on('action', open)
    n.on('close', release)
    n.on('failed', () => {
      release()
      onFailed()
    })
    this.live.add(n)
    // macOS does not promise 'close' for a banner that went to Notification Center unclicked: keep the newest ones
    // referenced (the ones a user still clicks) rather than every notification of a long session.
    for (const old of this.live) {
      if (this.live.size <= MAX_LIVE) break
      this.live.delete(old)
    }
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
