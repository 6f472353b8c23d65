import { useEffect, useState } from 'react'
import type { CalErrorData } from '../../../shared/errors'
import { errorData } from '../api'

/**
 * The result of `load()` (a contract call), fetched again whenever `key` changes; nothing while `key` is null,
 * and a null key in between makes the same key load afresh (a popover that is closed and opened again).
 * A result that arrives after the key changed (or the component went away) is dropped.
 */
export function useLoad<T>(key: string | null, load: () => Promise<T>): { value: T | null; error: CalErrorData | null; loading: boolean } {
  const [state, setState] = useState<{ key: string | null; value: T | null; error: CalErrorData | null }>({ key: null, value: null, error: null })
  useEffect(() => {
    // Forget the last result when nothing is asked for, so asking again with the same key shows "loading".
    if (key === null) return setState({ key: null, value: null, error: null })
    let live = true
    load().then(
      (value) => live && setState({ key, value, error: null }),
      (err: unknown) => live && setState({ key, value: null, error: errorData(err) }),
    )
    return () => {
      live = false
    }
  }, [key]) // only the key says when to load again: `load` is a fresh closure on every render
  const current = state.key === key
  return { value: current ? state.value : null, error: current ? state.error : null, loading: key !== null && !current }
}
