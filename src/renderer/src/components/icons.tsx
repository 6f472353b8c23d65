/** Small stroke icons (SF Symbols-like), drawn inline so the CSP needs no external images. */
import type { ReactElement } from 'react'

const paths: Record<string, ReactElement> = {
  lock: (
    <>
      <rect x="4" y="7.5" width="8" height="6" rx="1.2" />
      <path d="M5.8 7.5V5.2a2.2 2.2 0 0 1 4.4 0v2.3" />
    </>
  ),
  plus: <path d="M8 3.5v9M3.5 8h9" />,
  gear: (
    <>
      <circle cx="8" cy="8" r="2.2" />
      <path d="M8 2v1.6M8 12.4V14M2 8h1.6M12.4 8H14M3.8 3.8l1.1 1.1M11.1 11.1l1.1 1.1M3.8 12.2l1.1-1.1M11.1 4.9l1.1-1.1" />
    </>
  ),
  terminal: (
    <>
      <rect x="2" y="3" width="12" height="10" rx="1.5" />
      <path d="M4.8 6.2 6.8 8l-2 1.8M8.2 10h3" />
    </>
  ),
  camera: (
    <>
      <path d="M2.5 5.5h2.2l1.1-1.6h4.4l1.1 1.6h2.2v7h-11z" />
      <circle cx="8" cy="8.8" r="2" />
    </>
  ),
  play: <path d="M5 3.5v9l7-4.5z" />,
  stop: <rect x="4.2" y="4.2" width="7.6" height="7.6" rx="1" />,
  restart: <path d="M12.5 8a4.5 4.5 0 1 1-1.3-3.2M12.5 3v2.4h-2.4" />,
  pause: <path d="M5.5 4v8M10.5 4v8" />,
  rollback: <path d="M3.5 6.5h6a3 3 0 0 1 0 6H6M3.5 6.5 6 4M3.5 6.5 6 9" />,
  screen: (
    <>
      <rect x="2" y="3" width="12" height="8" rx="1.2" />
      <path d="M6 13.5h4M8 11v2.5" />
    </>
  ),
  trash: <path d="M3.5 4.5h9M6.5 4.5V3h3v1.5M4.8 4.5l.6 8.5h5.2l.6-8.5" />,
  tasks: <path d="M3 4.5h10M3 8h10M3 11.5h6" />,
  close: <path d="M4.5 4.5l7 7M11.5 4.5l-7 7" />,
  search: (
    <>
      <circle cx="7" cy="7" r="3.8" />
      <path d="M10 10l3 3" />
    </>
  ),
  check: <path d="M3.5 8.5 6.5 11.5 12.5 4.5" />,
  up: <path d="M4 10l4-4 4 4" />,
  bell: <path d="M4.5 11V7.5a3.5 3.5 0 0 1 7 0V11l1 1.2h-9zM6.8 13.6a1.3 1.3 0 0 0 2.4 0" />,
  down: <path d="M4 6l4 4 4-4" />,
  warning: <path d="M8 2.5 14 13H2zM8 6.5v3M8 11.2v.3" />,
  agent: <path d="M8 2.5l1.4 3.6 3.6 1.4-3.6 1.4L8 12.5 6.6 8.9 3 7.5l3.6-1.4z" />,
}

export type IconName = keyof typeof paths

export function Icon({ name, size = 14 }: { name: IconName; size?: number }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.4"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {paths[name]}
    </svg>
  )
}
