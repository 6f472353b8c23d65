import { CalError } from '../shared/errors'
import { fileInTheWay } from '../core/store/make-dirs'

/**
 * CAL_HOME (or ~/.cal) must be a folder, or missing (it is made on first use). A file there, or one in the way above
 * it, would make the engine fail later, and off the command's path (its settings watcher), so it is named up front
 * with what to do.
 */
export function assertCalHomeIsFolder(calHome: string): void {
  const file = fileInTheWay(calHome)
  if (file === null) return
  const what = file === calHome ? `CAL_HOME "${calHome}" is not a folder.` : `CAL_HOME "${calHome}" cannot be a folder: "${file}" above it is a file.`
  throw new CalError('INVALID_INPUT', what, `CAL keeps its data in a folder: move the file ${file} away, or point CAL_HOME at a folder.`, { calHome, file })
}
