import { z } from 'zod'

/** The one rule for every VM or snapshot name before it reaches Tart or a shell. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/

export const VmName = z
  .string()
  .regex(NAME_PATTERN, 'Use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit')
  .max(63)
export type VmName = z.infer<typeof VmName>

/** Parts of CAL's own Tart names: a user name containing one would be mistaken for a snapshot clone or restore scratch. */
export const RESERVED_NAME_PARTS = ['.snap.', '.restore-tmp', '.restore-old'] as const

/**
 * The reserved part `name` contains, if any (see RESERVED_NAME_PARTS). A snapshot's Tart copy is "VM.snap.NAME", so
 * for a new snapshot the part may also begin the name: "restore-old" made "dev.snap.restore-old", which the next
 * start-up took for a workspace a restore had parked, and renamed to "dev.snap". A snapshot may start with "snap.":
 * its copy "dev.snap.snap.x" is then also VM "dev.snap"'s snapshot "x", which createSnapshot refuses by name.
 */
export function reservedPart(name: string, of: 'vm' | 'snapshot' = 'vm'): string | undefined {
  return RESERVED_NAME_PARTS.find((part) => name.includes(part) || (of === 'snapshot' && part !== '.snap.' && `.${name}`.includes(part)))
}

/** Why `name` (which has the reserved part `part`, see reservedPart) is not free: without a full stop. */
export function reservedNameReason(name: string, part: string): string {
  return name.includes(part)
    ? `CAL keeps names containing "${part}" for its own snapshot and restore copies`
    : `CAL keeps snapshot names starting with "${part.slice(1)}" for its own snapshot and restore copies`
}

/** Tart refuses a name with two dots in a row (see assertTartName). */
export const DOUBLE_DOT = 'A name cannot contain two dots in a row'

const TMUX_NAME_RULE = 'Use up to 100 printable characters other than ".", ":" (tmux turns them into "_") and "#" (tmux reads it as a format)'

/**
 * A tmux session name as tmux keeps it, so as the VM's sessions are listed and ended (by target, `-t =NAME`, which
 * tmux does not expand): anything printable but "." and ":" (tmux turns those into "_"). Sessions made by hand ("my
 * session", "build#2") are listed, so that Stop and Restart name what runs in them. CAL quotes it in every command.
 */
export const ListedTmuxSessionName = z
  .string()
  .min(1, TMUX_NAME_RULE)
  .max(100, TMUX_NAME_RULE)
  .refine((name) => !/[.:]/.test(name) && ![...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), { message: TMUX_NAME_RULE })

/** A tmux session name CAL creates or attaches: a listed one without "#", which `new-session -s` reads as a format. */
export const TmuxSessionName = ListedTmuxSessionName.refine((name) => !name.includes('#'), { message: TMUX_NAME_RULE })
export type TmuxSessionName = z.infer<typeof TmuxSessionName>

export const SnapshotName = VmName
export type SnapshotName = VmName

/** An OCI image reference as Tart accepts it (host/namespace[:tag|@sha256:hex]). */
export const ImageRef = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]+)?\/[A-Za-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})?$/,
    'Use an image reference such as ghcr.io/cirruslabs/macos-sequoia-base:latest',
  )
  .refine((s) => !s.includes('..'), 'An image reference cannot contain ".."')
