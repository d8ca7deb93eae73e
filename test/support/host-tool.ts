import { spawnSync } from 'node:child_process';

/**
 * A test that needs a host program (socat, systemd-analyze) runs wherever it
 * is installed. In CI (`CI` set) a missing one fails the run: .ci/run installs
 * it, and a test must never quietly stop running there. Elsewhere the test is
 * skipped with the install command in its title.
 */
export function needTool(ctx: Mocha.Context, tool: string, install: string): void {
  if (hasTool(tool)) return;
  if (process.env['CI']) throw new Error(`${tool} is missing: ${install} (.ci/run installs it)`);
  ctx.skip();
}

export function hasTool(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}
