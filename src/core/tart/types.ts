/** What CAL reads from Tart, normalised from the JSON shapes in reference/tart-cli.md §3.7–3.8. */
export type TartState = 'running' | 'suspended' | 'stopped'

export interface TartListEntry {
  source: 'local' | 'oci'
  name: string
  /** Apparent size in GB (`Disk`). */
  diskGb: number
  /** Allocated size in GB (`Size`, an integer in `list`). */
  sizeGb: number
  /** `Accessed` (Tart ≥ 2.31) as ISO text; null on older Tart, which sends `SizeOnDisk` instead. */
  accessed: string | null
  state: TartState
}

export interface TartVmDetails {
  os: 'darwin' | 'linux'
  cpu: number
  memoryMb: number
  diskGb: number
  diskFormat: string
  /** Allocated GB; `get` reports it as a string with three decimals. */
  sizeGb: number
  display: string
  state: TartState
}

export interface TartCallOptions {
  signal?: AbortSignal
  timeoutMs?: number
}

export interface TartSetOptions {
  cpu?: number
  memoryMb?: number
  diskGb?: number
  randomMac?: boolean
  randomSerial?: boolean
}

export interface PullProgress {
  percent: number
  /** From `pulling disk (23.4 GB compressed)...`, when seen. */
  compressedGb: number | null
}
