import { statSync } from 'node:fs'
import { CalError } from '../shared/errors'

/**
 * CAL_HOME (or ~/.cal) must be a folder, or missing (it is made on first use). A file there would make the engine
 * fail later, and off the command's path (its settings watcher), so it is named up front with what to do.
 */
export function assertCalHomeIsFolder(calHome: string): void {
  try {
    if (statSync(calHome).isDirectory()) return
  } catch (err) {
    // Missing is fine; ENOTDIR means a part of the path is a file. Anything else the engine reports as it meets it.
    if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') return
  }
  throw new CalError('INVALID_INPUT', `CAL_HOME "${calHome}" is not a folder.`, 'CAL keeps its data in a folder: move that file away, or point CAL_HOME at a folder.', { calHome })
}
