/** Judge permissions for the service account (default `kiosk`), even when doctor runs as root. */
import { ok, warn, type CheckResult, type DoctorEnv, type ServiceUser } from './types.js';

export const SERVICE_USER = 'kiosk';

export async function resolveServiceUser(env: DoctorEnv, name: string): Promise<{ user: ServiceUser; result: CheckResult }> {
  const uid = await env.run('id', ['-u', name]);
  const gids = await env.run('id', ['-G', name]);
  if (uid?.code === 0 && gids?.code === 0) {
    const user = { name, uid: Number(uid.stdout.trim()), gids: gids.stdout.trim().split(/\s+/).map(Number) };
    return { user, result: ok('user', `service user ${name} (uid ${user.uid})`) };
  }
  const me = env.currentUser();
  return {
    user: me,
    result: warn('user', `service user ${name} does not exist; permissions judged for ${me.name}`, `create it: useradd --system --home-dir /var/lib/coupon-kiosk --groups dialout,i2c,gpio ${name}, or pass --user NAME`),
  };
}
