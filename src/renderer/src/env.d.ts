/// <reference types="vite/client" />
import type { CalApi } from '../../shared/api'

declare global {
  interface Window {
    cal: CalApi
  }
}
