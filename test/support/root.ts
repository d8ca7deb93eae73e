/**
 * Tests that need root (mounts, files owned by other users). CI runs the suite
 * as root and these never skip there; on a developer's machine without root
 * they are skipped, with the reason in the test name.
 */
export function needsRoot(ctx: Mocha.Context): void {
  if (process.getuid?.() === 0) return;
  if (process.env['CI']) throw new Error('this test needs root; CI runs the suite as root');
  ctx.skip();
}
