/**
 * The kiosk home: all state in one directory, so that backing up, wiping or
 * inspecting a kiosk is one path.
 *
 *   config.json    optional; every field has a default (device/config.ts)
 *   home.json      which ledger this home owns (device/home-record.ts)
 *   trust.json     platforms and their signing public keys (device/trust-store.ts)
 *   keys/          0700; merchant private keys, PKCS#8 PEM, 0600 each
 *   ledger.sqlite  redemptions, scans, trusted time (path configurable, inside the home)
 *   demo-platform/ only in a demo home: the demo platform's private key
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Keyring } from '../coupon/index.js';
import type { MerchantKey, PlatformTrust } from '../coupon/types.js';
import { mergeRaw, parseConfig, type KioskConfig, type Obj } from './config.js';
import { HomeError } from './home-error.js';
import { loadMerchantKeys } from './merchant-keys.js';
import { parseTrustJson, toPlatformTrust, type TrustJson } from './trust-store.js';

export { HomeError } from './home-error.js';

/** Where a kiosk keeps its state when neither --home nor KIOSK_HOME says otherwise. */
export const DEVICE_HOME = '/var/lib/coupon-kiosk';
/** The home `npm start` uses, relative to the working directory. */
export const DEMO_HOME = '.kiosk-demo';

export interface HomePaths {
  home: string;
  config: string;
  /** home.json */
  record: string;
  trust: string;
  keys: string;
  demoPlatform: string;
}

export function homePaths(home: string): HomePaths {
  const h = path.resolve(home);
  return {
    home: h,
    config: path.join(h, 'config.json'),
    record: path.join(h, 'home.json'),
    trust: path.join(h, 'trust.json'),
    keys: path.join(h, 'keys'),
    demoPlatform: path.join(h, 'demo-platform'),
  };
}

/**
 * --home wins, then KIOSK_HOME, then the device default. An empty value is an
 * error, never the current directory (which is what path.resolve('') means).
 */
export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag.trim() === '') throw new HomeError('HOME_NOT_FOUND', '--home is empty; give the kiosk home directory');
  const fromEnv = env['KIOSK_HOME'];
  if (flag === undefined && fromEnv !== undefined && fromEnv.trim() === '') {
    throw new HomeError('HOME_NOT_FOUND', 'KIOSK_HOME is set but empty; unset it (the default is /var/lib/coupon-kiosk) or set it to the kiosk home directory');
  }
  return path.resolve(flag ?? fromEnv ?? DEVICE_HOME);
}

export interface LoadedHome {
  paths: HomePaths;
  config: Readonly<KioskConfig>;
  platforms: PlatformTrust[];
  merchantKeys: MerchantKey[];
  keyring: Keyring;
}

/** Read and check everything in the home except the ledger. Throws HomeError / ConfigError. */
export function loadHome(home: string, opts: { hostname?: string; overrides?: Obj } = {}): LoadedHome {
  const paths = homePaths(home);
  requireDir(paths.home);
  const raw = opts.overrides ? mergeRaw(readJson(paths.config), opts.overrides) : readJson(paths.config);
  const config = parseConfig(raw, { home: paths.home, ...(opts.hostname ? { hostname: opts.hostname } : {}) });
  const platforms = toPlatformTrust(readTrust(paths.trust));
  const merchantKeys = loadMerchantKeys(paths.keys);
  const keyring = new Keyring({ platforms, merchantKeys });
  return { paths, config, platforms, merchantKeys, keyring };
}

/** trust.json, checked; a missing file is an empty trust store. */
export function readTrust(file: string): TrustJson {
  const raw = readJson(file);
  return raw === undefined ? { platforms: [] } : parseTrustJson(raw);
}

/** Parsed JSON, or undefined when the file does not exist. */
export function readJson(file: string): unknown {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HomeError('CONFIG_UNREADABLE', `${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

function requireDir(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new HomeError(
      'HOME_NOT_FOUND',
      `kiosk home ${dir} does not exist; create it with \`kiosk provision import --home ${dir} ...\` or pass --home / KIOSK_HOME`,
    );
  }
}
