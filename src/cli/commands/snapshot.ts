import { CalError } from '../../shared/errors'
import type { CliCommand } from '../context'
import { parseVerb } from '../args'
import { ago, printJson, table, usageError } from '../output'
import { followTask, withConfirmation } from '../task-runner'
import { askBeforePower, passYes } from '../power'
import { followRestore } from '../restore-result'
import { EXIT } from '../exit-codes'
import { didYouMean } from '../suggest'

const SUBCOMMANDS = ['create', 'list', 'restore', 'delete']

const USAGE = `Usage: cal snapshot create|list|restore|delete NAME [SNAPSHOT | --name SNAPSHOT] [--yes] [--json]
  create NAME [SNAPSHOT]   Snapshot the VM (a running VM is suspended, cloned and resumed; one CAL cannot suspend is
                           shut down and started again, which ends its programs: it names them, and asks first on a
                           terminal; without one, it needs --yes). Default name: manual-DATE.
  list NAME                Its snapshots: name, kind, age and size as Tart reports it.
  restore NAME SNAPSHOT    Replace the VM with the snapshot, crash-safely, after the git safety check.
  delete NAME SNAPSHOT     Delete one snapshot. On a terminal, asks first; without one, needs --yes.
  --name SNAPSHOT          The same as SNAPSHOT (cal snapshot restore dev --name before-refactor).`

/** NAME and SNAPSHOT, the snapshot given as the second argument or as --name (the seeds' form). */
function vmAndSnapshot(rest: string[], required: boolean): { help: boolean; vm: string; snapshot: string | undefined } {
  const a = parseVerb(rest, { name: { type: 'string' } }, USAGE, { min: 1, max: 2 })
  const [vm, positional] = a.positionals as [string, string | undefined]
  const named = typeof a.values.name === 'string' ? a.values.name : undefined
  if (positional !== undefined && named !== undefined && positional !== named) {
    throw new CalError('INVALID_INPUT', `Two snapshot names: "${positional}" and --name "${named}". Give one.`, USAGE.split('\n')[0] ?? '')
  }
  const snapshot = positional ?? named
  if (!a.help && required && snapshot === undefined) throw new CalError('INVALID_INPUT', 'Missing arguments: which snapshot?', USAGE.split('\n')[0] ?? '')
  return { help: a.help, vm, snapshot }
}

export const snapshotCommand: CliCommand = async (argv, ctx) => {
  const [sub, ...rest] = argv
  // Help asked for is output; the usage instead of a missing subcommand is a usage error, on stderr (as cal's own),
  // and with --json the usage error every verb gives (INVALID_INPUT on stdout), which a script can read.
  if (!sub && ctx.json) throw usageError(`Missing snapshot command: ${SUBCOMMANDS.join(', ')}.`, USAGE.split('\n')[0] ?? '')
  if (!sub) return ctx.stderr(USAGE + '\n'), EXIT.usage
  if (sub === '--help' || sub === '-h' || sub === 'help') return ctx.stdout(USAGE + '\n'), EXIT.ok
  switch (sub) {
    case 'list': {
      const a = parseVerb(rest, {}, USAGE, { min: 1, max: 1 })
      if (a.help) return ctx.stdout(USAGE + '\n'), 0
      const vm = a.positionals[0] as string
      const snaps = await ctx.handlers['snapshots:list']({ vm })
      // No snapshots may mean no such VM (a typo): say that, rather than offer to snapshot a VM that does not exist.
      if (!snaps.length) await ctx.handlers['vms:get']({ name: vm })
      if (ctx.json) return printJson(ctx, snaps), 0
      if (!snaps.length) return ctx.stdout(`${vm} has no snapshots. Take one with \`cal snapshot create ${vm}\`.\n`), 0
      ctx.stdout(table(['NAME', 'KIND', 'CREATED', 'SIZE'], snaps.map((s) => [s.name, s.kind, ago(s.createdAt), `${s.sizeGb} GB`])))
      return 0
    }
    case 'create': {
      const { help, vm, snapshot: name } = vmAndSnapshot(rest, false)
      if (help) return ctx.stdout(USAGE + '\n'), 0
      await askBeforePower(ctx, vm, 'snapshot')
      const task = await followTask(ctx, () => ctx.handlers['snapshots:create']({ vm, name, kind: 'manual' }))
      const snaps = await ctx.handlers['snapshots:list']({ vm })
      const made = name ? snaps.find((s) => s.name === name) : snaps.find((s) => s.kind === 'manual')
      if (ctx.json) return printJson(ctx, { ok: true, task, snapshot: made ?? null }), 0
      ctx.stdout(`Snapshot ${made?.name ?? name ?? ''} of ${vm} created.\n`)
      return 0
    }
    case 'restore': {
      const a = vmAndSnapshot(rest, true)
      if (a.help) return ctx.stdout(USAGE + '\n'), 0
      const { vm } = a
      const snapshot = a.snapshot as string
      return withConfirmation(ctx, (confirmed, checkedAt) =>
        followRestore(ctx, () => ctx.handlers['snapshots:restore']({ vm, snapshot, confirmed, checkedAt }), (restored) => `${vm} restored to snapshot ${restored}.`),
      )
    }
    case 'delete': {
      const a = vmAndSnapshot(rest, true)
      if (a.help) return ctx.stdout(USAGE + '\n'), 0
      const { vm } = a
      const snapshot = a.snapshot as string
      // As the app does, a person at a terminal is asked first: a deleted snapshot cannot be brought back. Without a
      // terminal, the same delete needs --yes (exit 6), as `cal delete` does. One that is not there: the delete says so.
      if (!ctx.yes) {
        const snap = (await ctx.handlers['snapshots:list']({ vm })).find((s) => s.name === snapshot)
        if (snap && !ctx.canAsk) {
          throw new CalError('CONFIRMATION_REQUIRED', `Deleting snapshot "${snapshot}" of ${vm} needs a confirmation: it is deleted for good (${snap.sizeGb} GB). ${vm} itself does not change.`, passYes('delete it'), { vm, snapshot, action: 'delete' })
        }
        if (snap) {
          const context = `warning: Snapshot "${snapshot}" of ${vm} (${snap.sizeGb} GB) is deleted for good. ${vm} itself does not change.\n`
          ctx.stderr(context)
          if (!(await ctx.confirm(`Delete snapshot "${snapshot}"?`, context))) throw new CalError('CANCELLED', `Snapshot "${snapshot}" was kept; nothing was changed.`)
        }
      }
      const task = await followTask(ctx, () => ctx.handlers['snapshots:delete']({ vm, snapshot, confirmed: true }))
      if (ctx.json) return printJson(ctx, { ok: true, task }), 0
      ctx.stdout(`Snapshot ${snapshot} of ${vm} deleted.\n`)
      return 0
    }
    default: {
      throw usageError(`Unknown snapshot command "${sub}".${didYouMean(sub, SUBCOMMANDS)}`, USAGE.split('\n')[0] ?? '')
    }
  }
}
