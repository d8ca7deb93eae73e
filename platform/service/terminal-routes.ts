/**
 * The terminal routes of later issues that the service runs, passed to
 * `buildApp({ terminalRoutes })` by the composition roots (`serve`, the
 * OpenAPI generator, the test harness): they run inside the authenticated,
 * signed-answer scope under /v1/terminal.
 */
import type { TerminalRoutes } from './app.js';
import { syncPlugin } from './plugins/sync.js';

export const SERVICE_TERMINAL_ROUTES: readonly TerminalRoutes[] = [syncPlugin];
