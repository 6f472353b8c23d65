/**
 * True only in a development build (`npm run dev`: electron-vite builds main in development mode, and vite writes
 * the value in at build time). `npm start` runs a production build that is not packaged, so `app.isPackaged` cannot
 * tell them apart: reload, the developer tools and a renderer URL from the environment stay out of that build.
 */
export const DEV_BUILD: boolean = import.meta.env.DEV === true
