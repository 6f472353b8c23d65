/**
 * Runs one already-quoted shell command in a VM's login shell and returns its output and exit code.
 * The SSH layer (src/core/ssh) provides the real one; tests build one with ssh2 directly.
 */
export type RemoteExec = (
  vm: string,
  command: string,
  opts?: { timeoutMs?: number; quietMs?: number; signal?: AbortSignal },
) => Promise<{ stdout: string; stderr: string; code: number }>
