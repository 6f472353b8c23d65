import type { Task } from '../shared/task'

/** The question shown when quitting while tasks run (Electron's MessageBoxSyncOptions shape). */
export interface QuitQuestion {
  type: 'warning'
  buttons: string[]
  defaultId: number
  cancelId: number
  message: string
  detail: string
}

/** Whether to quit: at once when nothing runs, else only if the user picks "Quit" (button 1) when asked. */
export function shouldQuit(running: readonly Task[], ask: (question: QuitQuestion) => number): boolean {
  if (running.length === 0) return true
  const one = running.length === 1
  return (
    ask({
      type: 'warning',
      buttons: ['Cancel', 'Quit'],
      defaultId: 0,
      cancelId: 0,
      message: one ? 'A task is still running.' : `${running.length} tasks are still running.`,
      detail: `${running.map((t) => t.title).join('\n')}\n\nQuitting stops ${one ? 'it' : 'them'} part-way.`,
    }) === 1
  )
}
