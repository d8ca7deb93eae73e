/**
 * Test-only fault injection: when the environment variable
 * KIOSK_TEST_CRASH_AT names a point, the process sends itself SIGKILL there,
 * a real `kill -9` at a known step (the enrollment, import and removal tests
 * use it to show the home is never left half-written). The points are listed
 * in docs/operations.md; nothing else reads the variable.
 */
export function crashPoint(name: string): void {
  if (process.env['KIOSK_TEST_CRASH_AT'] !== name) return;
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL to oneself is delivered before kill() returns; never go on past the point regardless
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
}
