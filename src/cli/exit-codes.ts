import type { ErrorCode } from '../shared/errors'

/** `cal` exit codes: stable, documented in `cal --help`, one family per kind of failure. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  vmLimit: 5,
  needsConfirmation: 6,
  diskFull: 7,
  tartMissing: 8,
  unreachable: 9,
  cancelled: 130,
} as const

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
    case 'NAME_INVALID':
    case 'SETTINGS_INVALID':
      return EXIT.usage
    case 'VM_NOT_FOUND':
    case 'SNAPSHOT_NOT_FOUND':
    case 'IMAGE_NOT_FOUND':
    case 'NO_SESSION_SNAPSHOT':
    case 'TASK_NOT_FOUND':
    case 'TERMINAL_NOT_FOUND':
      return EXIT.notFound
    case 'VM_EXISTS':
    case 'SNAPSHOT_EXISTS':
    case 'VM_NOT_RUNNING':
    case 'VM_ALREADY_RUNNING':
    case 'VM_PROTECTED':
    case 'VM_BUSY':
      return EXIT.conflict
    case 'VM_LIMIT_REACHED':
      return EXIT.vmLimit
    case 'CONFIRMATION_REQUIRED':
    case 'GIT_RISK':
      return EXIT.needsConfirmation
    case 'DISK_FULL':
      return EXIT.diskFull
    case 'TART_NOT_FOUND':
      return EXIT.tartMissing
    case 'VM_BOOT_TIMEOUT':
    case 'VM_DIED':
    case 'SSH_AUTH_FAILED':
    case 'SSH_HOST_KEY_MISMATCH':
    case 'SSH_UNREACHABLE':
    case 'SSH_TIMEOUT':
    case 'SSH_DISCONNECTED':
      return EXIT.unreachable
    case 'CANCELLED':
      return EXIT.cancelled
    default:
      return EXIT.failed
  }
}

export const EXIT_CODES_HELP = `Exit codes:
  0 success            1 failure (Tart or CAL)   2 bad arguments or names
  3 not found          4 wrong VM state, exists, or busy in another CAL (app or cal command)
                       (a VM already as asked: stop of a stopped VM, start of a running one: 0)
  5 the 2-VM macOS limit                         6 confirmation needed (work at risk; --yes)
  7 disk full          8 Tart not found or cannot be run (every verb, cal doctor too)
  9 VM unreachable / died                        130 cancelled`
