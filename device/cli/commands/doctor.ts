/**
 * `kiosk doctor`: checks, in one run, the home, config, keys, each configured
 * device (present, permission, answers), GPIO lines, clock and disk, and says
 * what to fix. Exit 0 when nothing failed (warnings allowed), 1 otherwise,
 * 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { enrolledPlatformChecks } from '../../../provisioning/doctor-checks.js';
import { resolveHome } from '../../home.js';
import { failed, formatReport, runDoctor } from '../../doctor/doctor.js';
import { realDoctorEnv } from '../../doctor/env.js';
import type { DoctorEnv } from '../../doctor/types.js';
import { SERVICE_USER } from '../../doctor/user.js';

export const summary = 'check hardware, permissions, keys, clock and disk; print what to fix';

const USAGE = `usage: kiosk doctor [--home DIR] [--user NAME] [--json]

  --home   the kiosk home (default: $KIOSK_HOME or /var/lib/coupon-kiosk)
  --user   the account the service runs as, whose permissions are checked (default: ${SERVICE_USER})
  --json   one JSON object: {"ok": bool, "checks": [{"id", "status", "message", "fix"}]}

Exit status 0 when no check failed, 1 otherwise.`;

const OPTIONS = {
  home: { type: 'string' },
  user: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(
  argv: string[],
  io: { env?: DoctorEnv; out?: NodeJS.WritableStream; err?: NodeJS.WritableStream; environ?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  const out = io.out ?? process.stdout;
  let values;
  try {
    values = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false }).values;
  } catch (err) {
    (io.err ?? process.stderr).write(`kiosk doctor: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    out.write(USAGE + '\n');
    return 0;
  }
  const home = resolveHome(values.home, io.environ ?? process.env);
  const results = await runDoctor(io.env ?? realDoctorEnv(), home, values.user ?? SERVICE_USER, (ctx) => enrolledPlatformChecks(ctx));
  out.write(values.json ? JSON.stringify({ ok: !failed(results), home, checks: results }) + '\n' : formatReport(results));
  return failed(results) ? 1 : 0;
}
