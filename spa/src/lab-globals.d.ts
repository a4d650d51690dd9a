/**
 * Constants the app's server injects at transform time (Vite `define`, see `server/vite-config.ts`).
 * The browser cannot import `@lab/shared` itself: its entry also exports Node-only modules.
 */

/** The demo users of the authorization server, for the hint on the sign-in card. */
declare const __LAB_DEMO_USERS__: ReadonlyArray<{ readonly username: string; readonly password: string; readonly part: string }>;
