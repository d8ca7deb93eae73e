/** Shared by the provisioning tests: what a home holds, as a comparable picture. */
import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { enroll, type EnrollInput } from '../../provisioning/enroll.js';
import { memoryLogger } from '../../device/logger.js';
import type { FakePlatform } from './fake-platform.js';

/** Every path under `home` with its type and mode; `platforms/.…` bookkeeping (lock, generation, staging) left out. */
export function picture(home: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      const rel = path.relative(home, file);
      if (/^platforms\/\./.test(rel)) continue;
      const st = lstatSync(file);
      out.push(`${rel} ${st.isDirectory() ? 'd' : 'f'}${(st.mode & 0o777).toString(8)}`);
      if (st.isDirectory()) walk(file);
    }
  };
  walk(home);
  return out;
}

/** The bookkeeping entries of platforms/ (staging folders, lock, generation). */
export function bookkeeping(home: string): string[] {
  try {
    return readdirSync(path.join(home, 'platforms')).filter((n) => n.startsWith('.')).sort();
  } catch {
    return [];
  }
}

export const URL_A = 'http://127.0.0.1:9';

/** An enrollment through a fake platform's Exchange. */
export function enrollFake(fake: FakePlatform, home: string, over: Partial<EnrollInput> = {}) {
  const { logger, lines } = memoryLogger('debug');
  const input: EnrollInput = { home, endpoint: { url: URL_A, tls: { mode: 'system' } }, token: fake.token(), expectPlatformKid: fake.kid, device: { name: 'till 1', software: 'test' }, ...over };
  return { run: () => enroll(input, { exchange: fake.exchange, logger }), input, lines };
}
