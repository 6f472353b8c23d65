import { shellJoin } from '../ssh/quote'

/**
 * The guest-side scan, in plain POSIX sh (the login shell may be zsh or bash; `sh -c` makes it neutral).
 * It finds repositories under ~/workspace, ~/projects, ~/repos, ~/code (to depth 6, skipping
 * node_modules) and in ~ to depth 2, and prints one tab-separated record per fact:
 *   REPO  path  branch  uncommitted  untracked  stashes
 *   AHEAD path  branch  count            (commits on a branch not yet on its upstream)
 *   UNPUB path  branch                   (a branch without upstream whose commits are on no remote)
 *   NOGIT path                           (git is missing, the repository could not be checked)
 *   ERR   path                           (git failed in this repository)
 * Paths containing tabs or newlines are not supported.
 */
export const GIT_SCAN_SCRIPT = String.raw`
export LC_ALL=C GIT_OPTIONAL_LOCKS=0 GIT_TERMINAL_PROMPT=0
T=$(printf '\t')
command -v git >/dev/null 2>&1 && HAVE_GIT=1 || HAVE_GIT=0
g() { git -c safe.directory='*' -C "$R" "$@"; }
list_repos() {
  for root in "$HOME/workspace" "$HOME/projects" "$HOME/repos" "$HOME/code"; do
    [ -d "$root" ] && find "$root" -maxdepth 6 \( -name node_modules -o -name .Trash \) -prune -o -name .git -print -prune 2>/dev/null
  done
  find "$HOME" -maxdepth 3 \( -name node_modules -o -name Library -o -name .Trash \) -prune -o -name .git -print -prune 2>/dev/null
}
list_repos | sed 's#/\.git$##' | sort -u | while IFS= read -r R; do
  [ -n "$R" ] || continue
  if [ "$HAVE_GIT" = 0 ]; then printf 'NOGIT%s%s\n' "$T" "$R"; continue; fi
  g rev-parse --git-dir >/dev/null 2>&1 || { printf 'ERR%s%s\n' "$T" "$R"; continue; }
  BR=$(g symbolic-ref --short -q HEAD 2>/dev/null)
  ST=$(g status --porcelain 2>/dev/null) || { printf 'ERR%s%s\n' "$T" "$R"; continue; }
  UNTR=$(printf '%s\n' "$ST" | grep -c '^??')
  UNC=$(printf '%s\n' "$ST" | grep -v '^??' | grep -c .)
  STASH=$(g stash list 2>/dev/null | grep -c .)
  printf 'REPO%s%s%s%s%s%s%s%s%s%s\n' "$T" "$R" "$T" "$BR" "$T" "$UNC" "$T" "$UNTR" "$T" "$STASH"
  g for-each-ref --format='%(refname:short)%09%(upstream)' refs/heads 2>/dev/null | while IFS="$T" read -r B U; do
    if [ -n "$U" ] && g rev-parse -q --verify "$U^{commit}" >/dev/null 2>&1; then
      N=$(g rev-list --count "$U..refs/heads/$B" 2>/dev/null || echo 0)
      [ "$N" -gt 0 ] 2>/dev/null && printf 'AHEAD%s%s%s%s%s%s\n' "$T" "$R" "$T" "$B" "$T" "$N"
    else
      N=$(g rev-list --count "refs/heads/$B" --not --remotes 2>/dev/null || echo 0)
      [ "$N" -gt 0 ] 2>/dev/null && printf 'UNPUB%s%s%s%s\n' "$T" "$R" "$T" "$B"
    fi
  done
  if [ -z "$BR" ] && g rev-parse -q --verify HEAD >/dev/null 2>&1; then
    N=$(g rev-list --count HEAD --not --branches --remotes 2>/dev/null || echo 0)
    [ "$N" -gt 0 ] 2>/dev/null && printf 'UNPUB%s%s%s%s\n' "$T" "$R" "$T" '(detached HEAD)'
  fi
done
printf 'DONE\n'
`

/** The one remote command string: `sh -c '<script>'`, quoted by the shared helper. */
export function gitScanCommand(): string {
  return shellJoin(['sh', '-c', GIT_SCAN_SCRIPT])
}
