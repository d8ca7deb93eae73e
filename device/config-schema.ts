/**
 * The schema of the kiosk configuration (config.json in the kiosk home): one
 * TypeBox schema per section, composed below. device/config.ts validates a
 * file against it with the check compiled from it at build time
 * (tools/validators.ts), so the kiosk's start path loads no typebox.
 *
 * To add a section (`sync`, `usb`): define its schema with its defaults next
 * to the code that uses it, and add it to CONFIG_SECTIONS. A missing section
 * is all defaults, so each section schema has `default: {}`.
 */
import { Type, type Static } from 'typebox';
import { HARDWARE_SECTIONS } from '../drivers/config.js';
import { ClaimsSchema } from './config-claims.js';
import { SyncSchema } from './config-sync.js';
import { UsbSchema } from './config-usb.js';

/** The top-level settings that belong to no section. */
const CORE = {
  /** names this terminal in the ledger and in ALREADY_REDEEMED answers; default: the host name */
  terminalId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', expected: '1-64 of A-Z a-z 0-9 . _ -' })),
  language: Type.Enum(['zh', 'en'], { default: 'zh' }),
  /** relative to the home, and inside it (device/ledger-home.ts refuses symlinks out of it) */
  ledgerPath: Type.String({ pattern: '\\S', expected: 'a path inside the kiosk home', default: 'ledger.sqlite' }),
  /** how long a verdict stays on screen before the idle screen returns */
  verdictScreenMs: Type.Integer({ minimum: 200, maximum: 600_000, default: 3000 }),
};

/** Every section of config.json, by key. */
export const CONFIG_SECTIONS = { ...HARDWARE_SECTIONS, usb: UsbSchema, sync: SyncSchema, claims: ClaimsSchema } as const;

export const KioskConfigSchema = Type.Object({ ...CORE, ...CONFIG_SECTIONS }, { additionalProperties: false });

export type RawConfig = Static<typeof KioskConfigSchema>;
