import { useEffect, useState } from 'react'

/** The current time, refreshed on an interval: for "2 minutes ago" and uptimes (a clock, not engine polling). */
export function useNow(intervalMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(id)
  }, [intervalMs])
  return now
}
