/**
 * The programs an action is about to end, one per line (see useRunningPrograms): in the Stop and Restart sheet, and
 * in the restore, roll back and delete sheets of a running VM. Nothing when none runs.
 */
export function RunningPrograms({ lines, lead }: { lines: readonly string[]; lead?: string }) {
  if (lines.length === 0) return null
  return (
    <>
      {lead && <p className="running-lead">{lead}</p>}
      <ul className="plain-list power-running" aria-label="Running programs" data-testid="running-programs">
        {lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </>
  )
}
