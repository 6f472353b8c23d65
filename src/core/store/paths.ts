import { join } from 'node:path'

/** CAL_HOME layout (default ~/.cal). ssh/ belongs to the SSH layer; settings to the settings service. */
export function calPaths(calHome: string) {
  return {
    home: calHome,
    /** One JSON file of CAL's facts per Tart VM CAL knows (workspaces and snapshot clones). */
    vmFacts: join(calHome, 'vms'),
    /** One record per `tart run` CAL started: PID, flags, IP, so any CAL process can stop or suspend it. */
    run: join(calHome, 'run'),
    logs: join(calHome, 'logs'),
    ssh: join(calHome, 'ssh'),
  }
}
