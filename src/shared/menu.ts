import { z } from 'zod'

/**
 * What the native application menu asks the window to do, for the items whose keys (⌘T, ⌘W, ⌘K) a menu
 * accelerator would otherwise take from the page (⌘⇧] and ⌘⇧[ too): the page runs them exactly as it runs its own hotkeys.
 */
export const AppCommand = z.object({
  command: z.enum(['newTab', 'closeTab', 'nextTab', 'previousTab', 'palette', 'clearScrollback']),
})
export type AppCommand = z.infer<typeof AppCommand>
