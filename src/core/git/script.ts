import { shellJoin } from '../ssh/quote'

/** Roots outside the home folder, scanned when they exist: the folder every account of a macOS guest shares. */
export const SHARED_ROOTS: readonly string[] = ['/Users/Shared']

/**
 * The guest-side scan, in plain POSIX sh (the login shell may be zsh or bash; `sh -c` makes it neutral, and both
 * macOS's /bin/sh and Debian's dash run it). It looks for repositories in all of ~, in ~/workspace, ~/projects,
 * ~/repos and ~/code (followed when they are symlinks to elsewhere) and in each shared root that exists (the
 * script's arguments, SHARED_ROOTS), down to depth 6: a repository at most 6 folders below its root
 * (~/src/github.com/org/repo is 4), skipping caches, toolchains and app data. Bare repositories (`git init --bare`,
 * `git clone --bare`) are checked too, their branches like any others', and each repository's linked worktrees
 * (`git worktree add`), wherever they are. It prints one tab-separated record per fact:
 *   HOME  path                           (the guest's $HOME, so the report can say "~")
 *   ROOT  path  depth  realpath          (a folder that was scanned, to that depth)
 *   NOROOT path  reason                  (the home folder could not be scanned)
 *   SKIP  path  reason                   (a folder find could not read, so repositories in it were not seen: reason
 *                                         is "denied" (Permission denied), "not-permitted" (Operation not permitted:
 *                                         macOS privacy protection, e.g. ~/Documents without Full Disk Access) or
 *                                         find's own words)
 *   REPO  path  HEAD  uncommitted  untracked  stashes  linked
 *                                        (HEAD is the full refname, empty when detached and in a bare repository
 *                                         but a dotfiles one, whose work tree is ~ and whose changes count there;
 *                                         uncommitted counts files marked assume-unchanged or skip-worktree whose
 *                                         content differs from the index too; linked is 1 for a linked worktree,
 *                                         whose branches and stashes are its main repository's)
 *   AHEAD path  ref  count               (commits on a branch, by full refname, not yet on its upstream)
 *   UNPUB path  ref  count               (a branch without upstream whose commits are on no remote, or a tag,
 *                                         refs/tags/NAME, holding commits on no branch and no remote; how many.
 *                                         None in a mirror of a remote outside the VM: its refs are that remote's)
 *   VMREMOTE path  name  url             (a remote whose repository is on this VM's own disk: a push there is lost
 *                                         with the VM, so its branches count as no remote, for AHEAD and UNPUB too)
 *   SUM   path  checksum                 (what the repository's work is now: its branch, tag and stash tips, HEAD,
 *                                         the status, the staged blobs, and the content of its changed files (those
 *                                         marked assume-unchanged or skip-worktree too) and of up to 1,000
 *                                         untracked ones; only ever compared with another check of the same VM,
 *                                         to see work that changed under the same counts)
 *   OUT   path  realpath                 (a repository whose real path is in an --outside folder, reached through a
 *                                         symlink, e.g. ~/workspace → /Volumes/My Shared Files/code: it survives the
 *                                         VM, so it is not checked; named once however many ways lead to it)
 *   NOGIT path                           (git is missing, the repository could not be checked)
 *   ERR   path  step                     (git failed: the check of this repository is incomplete; for some steps,
 *                                         "step: git's last line about it")
 * Paths containing tabs or newlines are not supported.
 */
export const GIT_SCAN_SCRIPT = String.raw`
export LC_ALL=C GIT_OPTIONAL_LOCKS=0 GIT_TERMINAL_PROMPT=0
# A GIT_DIR, GIT_WORK_TREE or GIT_NAMESPACE left in the login environment would aim every command at one repository
# or hide its branches; CDPATH would make cd print.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_COMMON_DIR GIT_NAMESPACE CDPATH
# Nor may the login environment point git at other objects, extra config or grafts (every command failed with a
# GIT_OBJECT_DIRECTORY left there); the commits are counted as they are, without replace refs.
unset GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT GIT_REPLACE_REF_BASE GIT_GRAFT_FILE GIT_SHALLOW_FILE
export GIT_NO_REPLACE_OBJECTS=1
T=$(printf '\t')
NB=$(printf '\001')
DEPTH=6
# Remote names and the --exclude patterns built from them are expanded unquoted: no pathname expansion anywhere.
set -f
# Leading "--outside FOLDER" arguments: folders not on the VM's own disk (its shared folders, other disks). A remote
# whose repository is in one of them, or on another machine, holds a copy of what was pushed to it.
OUTSIDE=
while [ "$1" = --outside ] && [ $# -ge 2 ]; do OUTSIDE=$OUTSIDE$2$T; shift 2; done
command -v git >/dev/null 2>&1 && HAVE_GIT=1 || HAVE_GIT=0
# fd 4 (below) is closed for git: a helper it leaves running (the fsmonitor daemon) would hold the SSH channel open.
# safe.bareRepository=explicit in the user's config would refuse every bare repository (git before 2.38 ignores it).
# No fsmonitor hook runs (one that hung hung the whole check: its 60 s limit, every other repository's findings with
# it), and the content is hashed as it is, without the repository's filters. (git status may still run a clean filter
# on a file modified in the index's own second.)
g() { git -c safe.directory='*' -c safe.bareRepository=all -c core.fsmonitor=false -C "$R" "$@" 4>&-; }
# git on the repository's work tree: ~ for a dotfiles repository ($DOT, below), else g.
gw() { if [ "$DOT" = 1 ]; then git -c safe.directory='*' -c core.fsmonitor=false -C "$HOME" --git-dir="$GD" --work-tree="$HOME" "$@" 4>&-; else g "$@"; fi; }
# The script's own output, for the SKIP records written from inside the repository list's pipeline.
exec 4>&1
# One record: the arguments joined by tabs.
rec() { _ifs=$IFS; IFS=$T; printf '%s\n' "$*"; IFS=$_ifs; }
# An ERR record for step $1, whose command (the rest) failed: run again for git's own last line about it ("fatal: …",
# "git-lfs: command not found"), which the report gives after the step. Only on a failure, so only then twice.
fail() {
  _step=$1; shift
  _w=$("$@" 2>&1 >/dev/null 4>&- | tail -n 1 | tr "$T" ' ')
  if [ -n "$_w" ]; then rec ERR "$R" "$_step: $_w"; else rec ERR "$R" "$_step"; fi
}
real() { (cd "$1" 2>/dev/null && pwd -P) || printf '%s\n' "$1"; }
# Whether a remote's URL names a repository on this VM's own disk, where a push is lost with the VM: a path or a
# file:// URL outside the OUTSIDE folders (resolved from the repository, symlinks followed; as written when it
# cannot be entered), or ssh to this machine (localhost, 127.*, [::1]). Any other host is elsewhere.
in_vm() {
  case $1 in
    file://*) _p=$(printf '%s\n' "$1" | sed 's#^file://##') ;;
    *://localhost[:/]* | *://*@localhost[:/]* | *://127.*[:/]* | *://*@127.*[:/]* | *://\[::1\]* | *://*@\[::1\]*) return 0 ;;
    *://*) return 1 ;;
    *:*)
      # scp-like [user@]host:path, unless a slash comes before the colon (then it is a path).
      case $(printf '%s\n' "$1" | sed 's/:.*//') in
        */*) _p=$1 ;;
        localhost | *@localhost | 127.* | *@127.*) return 0 ;;
        *) return 1 ;;
      esac
      ;;
    *) _p=$1 ;;
  esac
  _p=$( (cd "$R" 2>/dev/null && cd "$_p" 2>/dev/null && pwd -P) || printf '%s\n' "$_p")
  outside "$_p" && return 1
  return 0
}
# Whether a path (symlinks resolved) is in one of the OUTSIDE folders.
outside() {
  _ifs=$IFS; IFS=$T
  for _o in $OUTSIDE; do
    case $1/ in "$_o"/*) IFS=$_ifs; return 0 ;; esac
  done
  IFS=$_ifs
  return 1
}
# Whether a full refname is a remote-tracking branch of a remote inside the VM ($VMR: their names, space-separated;
# git allows no whitespace or glob characters in them).
vm_ref() {
  for _rm in $VMR; do
    case $1 in "refs/remotes/$_rm/"*) return 0 ;; esac
  done
  return 1
}
# Commits reachable from the arguments that no remote-tracking branch outside the VM holds: the arguments end with
# "--not" and may name more exclusions (--branches); the remotes inside the VM are excluded from --remotes.
unpub() {
  _x=
  for _rm in $VMR; do _x="$_x --exclude=$_rm/*"; done
  g rev-list --count "$@" $_x --remotes
}
# Whether the repository's config says status.showUntrackedFiles=no (newer git also reads a boolean false so).
home_quiet() {
  case $(g config --get status.showUntrackedFiles 2>/dev/null | tr 'A-Z' 'a-z') in
    no | false | off | 0) return 0 ;;
  esac
  return 1
}
# Tracked files git status does not look at: marked assume-unchanged (ls-files -v tags them in lowercase, h) or
# skip-worktree (S, s for both): an edit to one is lost like any other. For each regular file among them, as
# "P TAB index-blob TAB path" when it is in the work tree as a file, to be compared with its content; as "A TAB path"
# when it is not (deleted, or something else now), a change, except for a skip-worktree one that is absent: what a
# sparse checkout leaves. Symlinks and submodules are not looked at. $WT is the work tree.
hidden() {
  gw -c core.quotepath=off ls-files -v -s 2>/dev/null | sed -n "s/^\([hsS]\) 100[0-7]* \([0-9a-f]*\) 0$T/\1$T\2$T/p" |
    while IFS="$T" read -r _tag _sha _f; do
      if [ -f "$WT/$_f" ] && [ ! -L "$WT/$_f" ]; then
        rec P "$_sha" "$_f"
      elif [ "$_tag" = h ] || [ -e "$WT/$_f" ] || [ -L "$WT/$_f" ]; then
        rec A "$_f"
      fi
    done
}
# How many of hidden's files ($HID) differ from their index entry, given their content's hashes ($HIDGOT, in the
# same order) and the status ($ST): one already in the status (a staged change) is counted there.
hidden_changed() {
  { printf '%s\n' "$ST" | sed -n "s/^[^?][^?] /S$T/p"; printf '%s\n' "$HID"; printf '%s\n' "$HIDGOT" | sed "s/^/G$T/"; } |
    awk -F "$T" '
      $1 == "S" { st[$2] = 1 }
      $1 == "A" { a[++na] = $2 }
      $1 == "P" { e[++np] = $2; p[np] = $3 }
      $1 == "G" { g[++ng] = $2 }
      END {
        for (i = 1; i <= na; i++) if (!(a[i] in st)) n++
        for (i = 1; i <= np; i++) if (g[i] != e[i] && !(p[i] in st)) n++
        print n + 0
      }'
}
# find's complaints on stdin, as SKIP records: a folder it could not read may hold repositories nobody checked.
# GNU find writes "find: '/path': Permission denied" (in the C locale: quoted, with \' and octal escapes), BSD
# find "find: /path: Operation not permitted"; the reason follows the last ": ". A folder that vanished during the
# scan holds nothing; a line of any other shape is recorded under the root ($1) with its text, never dropped.
skipped() {
  sed -e 's/^find: //' -e "s#^\('*/.*\): #\1$T#" | while IFS="$T" read -r _p _why; do
    if [ -z "$_why" ]; then _why=$_p; _p=$1; fi
    # GNU's quoting undone for printf %b, which reads \\ as \ and \0NNN as a byte: find's \\ are set aside first (as a
    # byte it always escapes), so that the backslash they stand for begins no \' or \NNN; then \' and \NNN.
    case $_p in
      \'*\') _p=$(printf '%b' "$(printf '%s\n' "$_p" | sed "s/^'//; s/'\$//; s/\\\\\\\\/$NB/g; s/\\\\'/'/g; s/\\\\\([0-7]\{3\}\)/\\\\0\1/g; s/$NB/\\\\\\\\/g")") ;;
    esac
    case $_why in
      'Permission denied') _why=denied ;;
      'Operation not permitted') _why=not-permitted ;;
      'No such file or directory') continue ;;
    esac
    rec SKIP "$_p" "$_why"
  done
}
# Caches, toolchains, app data and the Trash: big, and nobody's own work (Library also holds Xcode's DerivedData,
# .build SwiftPM's checkouts). They are told by name, so one that is itself a repository (holds .git: a project named
# Library, Pods kept as a repository of its own) is someone's work, and entered: one test process per folder so
# named (few: none inside them is reached). -H follows a root that is itself a symlink; symlinks inside are not
# followed. A repository DEPTH folders down has its .git one deeper, and that .git is printed, not entered. Bare
# repositories (a folder holding HEAD, objects/ and refs/, as git itself tells one) are found in the same pass: one
# named *.git is tested (one test process per such folder, few) and printed, not entered; any other is found by its
# HEAD file, printed for the candidates' loop to test. Extra arguments are more "-o TEST" alternatives to prune,
# whatever they hold (~/Library: huge). The paths go to stdout, find's errors through skipped to the output.
scan() {
  _root=$1; shift
  { find -H "$_root" -maxdepth $((DEPTH + 1)) \( \( -name Library -o -name .Trash -o -name node_modules -o -name .cache \
    -o -name .npm -o -name .pnpm-store -o -name .yarn -o -name .cargo -o -name .rustup -o -name .gradle -o -name .m2 \
    -o -name .nvm -o -name .pyenv -o -name .rbenv -o -name .gem -o -name .cocoapods -o -name Pods -o -name .build \
    -o -name .venv -o -name __pycache__ \) ! -exec test -e {}/.git \; "$@" \) -prune -o -name .git -print -prune \
    -o -name '*.git' -type d -exec test -f {}/HEAD -a -d {}/objects -a -d {}/refs \; -print -prune \
    -o -name HEAD -type f -print 2>&1 >&3 3>&- | skipped "$_root" >&4; } 3>&1
}
# The folders in ~ scanned on their own as well (none without a home), and where ~ really is.
NAMED=
HOMEREAL=
if [ -n "$HOME" ] && [ -d "$HOME" ]; then
  NAMED="workspace projects repos code"
  rec HOME "$HOME"
  HOMEREAL=$(real "$HOME")
  rec ROOT "$HOME" "$DEPTH" "$HOMEREAL"
else
  # Nothing was scanned: say so rather than report an empty, "clean" home.
  if [ -n "$HOME" ]; then rec NOROOT "$HOME" 'the home folder does not exist'; else rec NOROOT '~' 'HOME is not set'; fi
fi
for n in $NAMED; do [ -d "$HOME/$n" ] && rec ROOT "$HOME/$n" "$DEPTH" "$(real "$HOME/$n")"; done
for root in "$@"; do [ -d "$root" ] && rec ROOT "$root" "$DEPTH" "$(real "$root")"; done
list_repos() {
  # The named folders are scanned on their own (so one that is a symlink to elsewhere is followed), and skipped
  # in the scan of ~, as ~/Library is, whatever it holds. -path takes a pattern: $HOME's own *?[\ are escaped.
  _h=$(printf '%s\n' "$HOME" | sed 's/[][*?\\]/\\&/g')
  [ -n "$NAMED" ] && scan "$HOME" -o -path "$_h/Library" -o -path "$_h/workspace" -o -path "$_h/projects" -o -path "$_h/repos" -o -path "$_h/code"
  for n in $NAMED; do [ -d "$HOME/$n" ] && scan "$HOME/$n"; done
  for root in "$@"; do [ -d "$root" ] && scan "$root"; done
}
SEEN=
OUTSEEN=
# Candidates, as "source TAB path": every repository found by its .git (source 0), every bare repository (source 1),
# then their worktrees (source 2), which may be anywhere. find printed "REPO/.git", "BARE.git" or "FOLDER/HEAD" (a
# path holds no tab: tagged here as 0, B or H).
list_repos "$@" | sed -e "s#^\(.*\)/\.git\$#0$T\1#" -e "s#^\([^$T]*\)/HEAD\$#H$T\1#" -e "s#^[^$T]*\$#B$T&#" | while IFS="$T" read -r K R; do
  [ -n "$R" ] || continue
  # A HEAD file makes a git dir only beside objects/ and refs/ (find tested the *.git ones).
  if [ "$K" = 0 ]; then rec 0 "$R"
  elif [ "$K" = B ] || { [ -d "$R/objects" ] && [ -d "$R/refs" ]; }; then rec 1 "$R"
  else continue
  fi
  [ "$HAVE_GIT" = 1 ] || continue
  g worktree list --porcelain 2>/dev/null | sed -n 's/^worktree //p' | while IFS= read -r W; do
    # A worktree whose folder is gone holds nothing that could be lost (git calls it prunable).
    [ -d "$W" ] && rec 2 "$W"
  done
done | sort -u | while IFS="$T" read -r _src R; do
  [ -n "$R" ] || continue
  # A repository on a folder outside the VM (a shared folder, reached through a symlink in ~) loses nothing with
  # it: named, once by its real path, for the report to say how many were left out.
  RP=$(real "$R")
  if outside "$RP"; then
    case $OUTSEEN in *"$T$RP$T"*) ;; *) OUTSEEN=$OUTSEEN$T$RP$T; rec OUT "$R" "$RP" ;; esac
    continue
  fi
  if [ "$HAVE_GIT" = 0 ]; then rec NOGIT "$R"; continue; fi
  GD=$(g rev-parse --absolute-git-dir 2>/dev/null) || { fail rev-parse g rev-parse --absolute-git-dir; continue; }
  # A repository reached twice (listed by git as a worktree, through a symlink, or a submodule by its git dir) is
  # checked once, under the path listed first (by source, then path).
  case $SEEN in *"$T$GD$T"*) continue ;; esac
  SEEN=$SEEN$T$GD$T
  # A git dir found as such (source 1) has no checkout to look at, like a bare repository: it is one, or a git dir
  # whose worktree is elsewhere (git init --separate-git-dir; a bare repository's submodules), checked from there
  # when the scan finds it (source 0, seen first), only its branches here otherwise. A folder holding HEAD, objects/
  # and refs/ inside a worktree's files, and no git dir itself, leads git to the worktree's: seen already.
  if [ "$_src" = 1 ]; then
    BARE=true
  else
    BARE=$(g rev-parse --is-bare-repository 2>/dev/null) || { fail rev-parse g rev-parse --is-bare-repository; continue; }
  fi
  # A repository committed as files of another one (a test fixture, project/test/fixtures/x.git) is that one's
  # tracked files: a change to it shows there, and its commits are safe once that one is pushed.
  if [ "$_src" = 1 ] && _top=$(git -c safe.directory='*' -C "$(dirname "$R")" rev-parse --show-toplevel 2>/dev/null 4>&-) &&
    git -c safe.directory='*' -C "$_top" ls-files --error-unmatch -- "$R/HEAD" >/dev/null 2>&1 4>&-; then
    continue
  fi
  # A linked worktree's git dir names its main repository's in "commondir": branches and stashes live there.
  [ -f "$GD/commondir" ] && LINKED=1 || LINKED=0
  # Full refnames throughout, also in the records (report.ts shortens them for display): git shortens an
  # ambiguous name, "heads/v2" when a tag v2 exists, and "refs/heads/heads/v2" names nothing.
  BR=$(g symbolic-ref -q HEAD 2>/dev/null)
  HRC=$?
  [ "$HRC" -le 1 ] || rec ERR "$R" 'symbolic-ref HEAD'
  UNC=0 UNTR=0 STASH=0 ST= DOT=0 WT= HID= HIDGOT=
  if [ "$BARE" != true ]; then
    WT=$R
    # Forced options: the repository's own config (status.showUntrackedFiles, submodule.*.ignore,
    # diff.ignoreSubmodules) must not hide untracked files or changed submodules. Untracked files are listed one by
    # one (=all), not a new folder as one entry: a folder of 200,000 new files is not "1 untracked file".
    # One exception: a repository whose work tree is ~ itself (dotfiles in ~/.git) set up to show no untracked files,
    # like the bare dotfiles repository below: every other folder in ~ would count, nested repositories (checked on
    # their own) too.
    UT=all
    if [ "$RP" = "$HOMEREAL" ] && home_quiet; then UT=no; fi
    if ST=$(g -c core.quotepath=off status --porcelain --untracked-files=$UT --ignore-submodules=none 2>/dev/null); then
      UNTR=$(printf '%s\n' "$ST" | grep -c '^??')
      UNC=$(printf '%s\n' "$ST" | grep -v '^??' | grep -c .)
    else
      fail status g status --porcelain --untracked-files=$UT --ignore-submodules=none
    fi
  elif [ -f "$GD/index" ] && [ "$(dirname "$R")" = "$HOME" ] && [ -z "$(g config --get core.worktree 2>/dev/null)" ]; then
    # A bare repository in ~ with an index is used with ~ as its work tree: the dotfiles pattern (git
    # --git-dir=~/.cfg --work-tree=~). Changes to the files it tracks are checked there; untracked files are not (all
    # of ~ would count), as such a repository is set up to show.
    DOT=1
    WT=$HOME
    if ST=$(gw status --porcelain --untracked-files=no --ignore-submodules=none 2>/dev/null); then
      UNC=$(printf '%s\n' "$ST" | grep -c .)
    else
      fail status gw status --porcelain --untracked-files=no --ignore-submodules=none
    fi
  fi
  if [ -n "$WT" ]; then
    # Files marked so that status skips them (see hidden): each whose content differs from its index entry, read as
    # git reads it (through the repository's filters: line endings, LFS), is uncommitted work. One ls-files process,
    # and one hash-object for those files when there are any (all of them where core.ignoreStat marks every file).
    HID=$(hidden)
    if [ -n "$HID" ]; then
      HIDGOT=$(printf '%s\n' "$HID" | sed -n "s/^P$T[^$T]*$T//p" | gw hash-object --stdin-paths 2>/dev/null) || rec ERR "$R" 'hash-object'
      UNC=$((UNC + $(hidden_changed)))
    fi
  fi
  if [ "$LINKED" = 0 ]; then
    # Counted from refs/stash's reflog, which is what "git stash list" shows: that command refuses a bare
    # repository, whose linked worktrees keep their stashes in it.
    if g rev-parse -q --verify refs/stash >/dev/null 2>&1; then
      STASH=$(g rev-list --walk-reflogs --count refs/stash 2>/dev/null) || { STASH=0; rec ERR "$R" 'stash list'; }
    fi
    # Listed above without looking at the exit status: a failure here means worktrees may have been missed.
    g worktree list --porcelain >/dev/null 2>&1 || rec ERR "$R" 'worktree list'
  fi
  # Without a checkout, HEAD only names the default branch for clones (often one the repository lacks).
  if [ "$BARE" = true ] && [ "$DOT" = 0 ]; then rec REPO "$R" '' "$UNC" "$UNTR" "$STASH" "$LINKED"; else rec REPO "$R" "$BR" "$UNC" "$UNTR" "$STASH" "$LINKED"; fi
  # The same counts can hide new work (a commit amended, a changed file edited again): a checksum of what they
  # count. Two processes in a clean repository; files are read only where there is uncommitted work, untracked ones
  # up to a bound (a tree nobody ignored can hold thousands); nothing is written (hash-object without -w). Past the
  # bound, each untracked file's inode, size and modification time (to the nanosecond where the disk keeps it) stand
  # in for its content: perl (macOS has it) reads them all in one process; without perl those files are left out.
  SUM=$( {
    g for-each-ref --format='%(objectname) %(refname) %(HEAD)' refs/heads refs/tags refs/stash 2>/dev/null
    [ "$HRC" = 1 ] && g rev-parse -q --verify HEAD 2>/dev/null
    printf '%s\n' "$ST"
    [ -n "$HID" ] && printf '%s\n' "$HID" "$HIDGOT"
    if { [ "$BARE" != true ] || [ "$DOT" = 1 ]; } && [ $((UNC + UNTR)) -gt 0 ]; then
      gw diff --cached --raw --abbrev=40 2>/dev/null
      # The untracked files, one per line as ls-files writes them: status quotes a path with a space ("My Notes/a 1"),
      # which then named no file to read. None where untracked files do not count (DOT, or UT=no: all of ~).
      _new=
      [ "$DOT" = 1 ] || [ "$UT" = no ] || _new=$(g -c core.quotepath=off ls-files -o --exclude-standard 2>/dev/null)
      { gw -c core.quotepath=off ls-files -m 2>/dev/null; [ -n "$_new" ] && printf '%s\n' "$_new" | head -n 1000; } |
        while IFS= read -r _f; do [ -f "$WT/$_f" ] && printf '%s\n' "$_f"; done | gw hash-object --no-filters --stdin-paths 2>/dev/null
      [ -n "$_new" ] && printf '%s\n' "$_new" | sed '1,1000d' |
        (cd "$WT" && perl -MTime::HiRes=lstat -ne 'chomp; my @s = lstat; print "@s[1,7,9] $_\n" if @s') 2>/dev/null
    fi
  } | cksum)
  rec SUM "$R" "$SUM"
  # Remotes inside the VM (see in_vm): named, and their branches count as no remote below. A linked worktree shares
  # its main repository's remotes.
  # A mirror (git clone --mirror, or any remote outside the VM fetched straight into refs/heads) holds that remote's
  # branches and tags as of its last fetch: they are a copy, not work of this VM's ($MIRROR names the remote).
  VMR=
  MIRROR=
  while IFS= read -r RM; do
    [ -n "$RM" ] || continue
    U=$(g remote get-url --push "$RM" 2>/dev/null) || continue
    if in_vm "$U"; then
      VMR="$VMR $RM"
      [ "$LINKED" = 0 ] && rec VMREMOTE "$R" "$RM" "$U"
    else
      case $(g config --get-all "remote.$RM.fetch" 2>/dev/null) in
        *'refs/*:refs/*'* | *'refs/heads/*:refs/heads/*'*) MIRROR=$RM ;;
      esac
    fi
  done <<EOF
$(g remote 2>/dev/null)
EOF
  if [ "$LINKED" = 0 ]; then
    if REFS=$(g for-each-ref --format='%(refname)%09%(upstream)' refs/heads 2>/dev/null); then
      printf '%s\n' "$REFS" | while IFS="$T" read -r B U; do
        [ -n "$B" ] || continue
        if [ -n "$U" ] && ! vm_ref "$U" && g rev-parse -q --verify "$U^{commit}" >/dev/null 2>&1; then
          if N=$(g rev-list --count "$U..$B" 2>/dev/null); then
            [ "$N" -gt 0 ] 2>/dev/null && rec AHEAD "$R" "$B" "$N"
          else
            rec ERR "$R" "rev-list $B"
          fi
        elif [ -n "$MIRROR" ]; then
          :
        elif N=$(unpub "$B" --not 2>/dev/null); then
          [ "$N" -gt 0 ] 2>/dev/null && rec UNPUB "$R" "$B" "$N"
        else
          rec ERR "$R" "rev-list $B"
        fi
      done
    else
      rec ERR "$R" 'for-each-ref'
    fi
    # A tag can hold commits that are on no branch and no remote (tagged on a detached HEAD, or its branch deleted):
    # one count for all tags (none: nothing to count), then, only when there are such commits, which tags hold them.
    if [ -n "$MIRROR" ] || [ -z "$(g for-each-ref --count=1 --format=x refs/tags 2>/dev/null)" ]; then
      :
    elif N=$(unpub --tags --not --branches 2>/dev/null); then
      if [ "$N" -gt 0 ] 2>/dev/null; then
        g for-each-ref --format='%(refname)' refs/tags 2>/dev/null | while IFS= read -r TG; do
          M=$(unpub "$TG" --not --branches 2>/dev/null) || continue
          [ "$M" -gt 0 ] 2>/dev/null && rec UNPUB "$R" "$TG" "$M"
        done
      fi
    else
      rec ERR "$R" 'rev-list --tags'
    fi
  fi
  # HEAD is per worktree: a detached one can hold commits on no branch and no remote.
  if [ "$HRC" = 1 ]; then
    if N=$(unpub HEAD --not --branches 2>/dev/null); then
      [ "$N" -gt 0 ] 2>/dev/null && rec UNPUB "$R" '(detached HEAD)' "$N"
    else
      rec ERR "$R" 'rev-list HEAD'
    fi
  fi
  # Commits made on a detached HEAD that then moved on ("checkout: moving from SHA to ..." in HEAD's reflog, SHA the
  # detached commit): on no branch, tag or remote, only the reflog keeps them, until git expires it. Git says so once,
  # at that checkout. Those still under HEAD are counted above.
  LEFT=$(g reflog show --format=%gs HEAD 2>/dev/null | sed -n 's/^checkout: moving from \([0-9a-f]\{40,64\}\) to .*/\1/p' | sort -u)
  if [ -n "$LEFT" ] && N=$(unpub $LEFT --not --branches --tags HEAD 2>/dev/null); then
    [ "$N" -gt 0 ] 2>/dev/null && rec UNPUB "$R" '(left by a detached HEAD)' "$N"
  fi
done
printf 'DONE\n'
`

/**
 * Folders of a macOS guest that are not on its own disk: Tart's shared folders (`/Volumes/My Shared Files`) and
 * other disks. A repository there survives the VM, so pushing to it is pushing.
 */
export const OUTSIDE_VM: readonly string[] = ['/Volumes']

/** The one remote command string: `sh -c '<script>' cal-git-scan [--outside DIR]... ROOT...`, quoted by the shared helper. */
export function gitScanCommand(sharedRoots: readonly string[] = SHARED_ROOTS, outside: readonly string[] = OUTSIDE_VM): string {
  return shellJoin(['sh', '-c', GIT_SCAN_SCRIPT, 'cal-git-scan', ...outside.flatMap((o) => ['--outside', o]), ...sharedRoots])
}
