import { z } from 'zod'
import { CalErrorData } from './errors'
import { NotificationKind } from './settings'

/** Where clicking a notification or toast takes the user. */
export const NavTarget = z.object({
  view: z.enum(['workspace', 'terminal', 'snapshots', 'settings', 'tasks']),
  vm: z.string().nullable().default(null),
  sessionId: z.string().nullable().default(null),
  taskId: z.string().nullable().default(null),
})
export type NavTarget = z.infer<typeof NavTarget>

export const Notice = z.object({
  id: z.string(),
  kind: NotificationKind,
  level: z.enum(['info', 'success', 'error']),
  title: z.string(),
  body: z.string(),
  error: CalErrorData.nullable(),
  target: NavTarget.nullable(),
})
export type Notice = z.infer<typeof Notice>

/** The id of a notice that `vm` went down unexpectedly, for its run that started at `startedAt`. */
export const vmDownNoticeId = (vm: string, startedAt: string | null): string => `${vmDownNoticePrefix(vm)}${startedAt ?? ''}`
/** What every such notice's id starts with: a window drops their toasts once the VM runs again. */
export const vmDownNoticePrefix = (vm: string): string => `vm:${vm}:down:`
