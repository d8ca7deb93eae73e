/** What every step of the demo shares: the work folder, the report, the platform, the kiosks and the coupons. */
import type { DemoKiosk, Enrolled, ScannerKind } from './kiosks.js';
import type { DemoPlatform, Issued } from './platform.js';
import type { Report } from './table.js';

export const PLATFORM_ID = 'demo-platform';
export const MERCHANT = 'shop-demo';
export const OTHER_MERCHANT = 'shop-other';
/** the two branches of MERCHANT, each with a kiosk, and the scanner driver each kiosk runs */
export const BRANCHES = { north: 'serial', south: 'hid' } as const satisfies Record<string, ScannerKind>;
export type Branch = keyof typeof BRANCHES;
export const BRANCH_NAMES = Object.keys(BRANCHES) as Branch[];

export interface Ctx {
  work: string;
  report: Report;
  platform: DemoPlatform;
  enrolled: Record<Branch, Enrolled>;
  kiosks: Partial<Record<Branch, DemoKiosk>>;
  coupons: Record<string, Issued>;
}
