/**
 * The `sync` section of config.json (issue 9): how the kiosk's sync worker
 * talks to its platforms. What the merchant decides (claim mode, offline
 * limits, reversal window) comes from the platform, not from here.
 */
import { Type, type Static } from 'typebox';

export const SyncSchema = Type.Object(
  {
    /** run the sync worker in `kiosk start` (false: `kiosk sync` and USB only) */
    enabled: Type.Boolean({ default: true }),
    /** outbox entries per upload request (the platform takes at most 500) */
    batchRecords: Type.Integer({ minimum: 1, maximum: 500, default: 200 }),
    /** first retry after a failed upload or pull; doubled per failure, with jitter */
    backoffBaseMs: Type.Integer({ minimum: 50, maximum: 60_000, default: 1000 }),
    backoffMaxMs: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 60_000 }),
    /** how often revocations, time, trust and conflicts are pulled while all goes well */
    pullEveryMs: Type.Integer({ minimum: 1000, maximum: 86_400_000, default: 60_000 }),
    /** how often the outbox is looked at when nothing woke the worker (entries written by another process: `kiosk reverse`) */
    idleCheckMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 5000 }),
    /** a whole answer within this, per request */
    requestTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
  },
  { additionalProperties: false, default: {} },
);

export type SyncConfig = Static<typeof SyncSchema>;
