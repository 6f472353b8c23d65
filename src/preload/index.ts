import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { commandNames, eventNames, sendNames, splitChannel } from '../shared/api'

/**
 * window.cal: the contract's named verbs and event subscriptions, nothing else.
 * Each verb is bound to its own fixed channel; the renderer never sees ipcRenderer or a generic invoke.
 */
function buildApi(): Record<string, unknown> {
  const api: Record<string, Record<string, unknown>> = {}
  const ns = (name: string) => (api[name] ??= {})
  for (const channel of commandNames) {
    const [n, verb] = splitChannel(channel)
    ns(n)[verb] = (input?: unknown) => ipcRenderer.invoke(channel, input ?? {})
  }
  for (const channel of sendNames) {
    const [n, verb] = splitChannel(channel)
    ns(n)[verb] = (payload: unknown) => ipcRenderer.send(channel, payload)
  }
  const allowed = new Set<string>(eventNames)
  return {
    ...api,
    on(event: string, listener: (payload: unknown) => void): () => void {
      if (!allowed.has(event)) throw new Error(`Unknown CAL event: ${event}`)
      const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload)
      ipcRenderer.on(event, wrapped)
      return () => ipcRenderer.removeListener(event, wrapped)
    },
  }
}

contextBridge.exposeInMainWorld('cal', buildApi())
