import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron'
import { commandNames, sendNames } from '../shared/api'
import { CalError, type Result } from '../shared/errors'
import type { Router } from './router'

/** Who may talk to the engine: CAL's own window, top frame, showing CAL's own page. */
export interface SenderPolicy {
  /** The webContents of CAL's window (null while there is none). */
  trustedContents(): WebContents | null
  /** scheme://host of CAL's page (cal://app, or the dev server's origin). */
  trustedOrigin: string
}

type SenderEvent = Pick<IpcMainEvent | IpcMainInvokeEvent, 'sender' | 'senderFrame'>

export function isTrustedSender(event: SenderEvent, policy: SenderPolicy): boolean {
  const contents = policy.trustedContents()
  if (!contents || event.sender !== contents) return false
  const frame = event.senderFrame
  // Only the top frame: an embedded frame must never reach the engine, whatever page it shows.
  if (!frame || frame !== contents.mainFrame) return false
  try {
    const url = new URL(frame.url)
    return `${url.protocol}//${url.host}` === policy.trustedOrigin
  } catch {
    return false
  }
}

const forbidden = (channel: string): Result<never> => ({
  ok: false,
  error: new CalError('FORBIDDEN', `Refused "${channel}" from a page that is not CAL.`, 'Only CAL\'s own window can use the engine.').toData(),
})

/** Register exactly one handler per contract channel, each checking its sender before the router sees the input. */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle' | 'on'>, router: Router, policy: SenderPolicy, log: (msg: string) => void): void {
  for (const channel of commandNames) {
    ipcMain.handle(channel, (event, raw: unknown) => {
      if (!isTrustedSender(event, policy)) {
        log(`refused ${channel} from ${event.senderFrame?.url ?? 'an unknown frame'}`)
        return forbidden(channel)
      }
      return router.invoke(channel, raw)
    })
  }
  for (const channel of sendNames) {
    ipcMain.on(channel, (event, raw: unknown) => {
      if (isTrustedSender(event, policy)) router.send(channel, raw)
    })
  }
}
