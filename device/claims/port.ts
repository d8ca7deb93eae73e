/**
 * The Claimer port: how the redemption pipeline asks a platform to claim one
 * coupon for this terminal before it accepts it (claim modes `online-required`
 * and `online-preferred`, docs/protocol.md "Claims"). The core defines it;
 * sync/claims/ implements it over the signed transport and the composition
 * root injects it (device/ never imports sync/).
 *
 * Contract:
 * - `claim()` never rejects and never throws: every failure is an answer of
 *   kind `no-answer` with a code, so the pipeline has exactly two cases.
 * - It settles within about `timeoutMs`: past it, `no-answer` with code
 *   `TIMEOUT`, and the request is aborted (a late answer is dropped, never
 *   acted on). The pipeline races its own timer as well, so a claimer that
 *   breaks this cannot hold the scan queue.
 * - `answer` is only ever a signed answer of the platform that verified with
 *   a trusted platform key and passed the ClaimResponse schema; an unsigned,
 *   forged or malformed one is `no-answer` (ANSWER_UNVERIFIED, ANSWER_INVALID).
 * - A claim is idempotent for its terminal: claiming again after a lost answer
 *   (or a crash between the platform's commit and the ledger's) answers
 *   `claimed` with `repeated: true`.
 * - `close()` aborts what is in flight (those claims settle as `no-answer`
 *   ABORTED) and releases connections.
 */
import type { ClaimResponse } from '../../protocol/sync.js';

export interface ClaimInput {
  /** the coupon's platform (claims.iss): which platform to ask */
  platformId: string;
  ctiHex: string;
  product: string;
  quantity: number;
  consumer: string;
  /** the scan time (the kiosk's effective trusted time), Unix ms: the ledger keeps the same */
  scannedAt: number;
}

export type ClaimAnswer =
  | { kind: 'answer'; response: ClaimResponse }
  /** the platform did not answer usefully in time: `code` is a transport code (TIMEOUT, UNREACHABLE, REFUSED, …) or NO_LINK */
  | { kind: 'no-answer'; code: string; message: string };

export interface Claimer {
  claim(input: ClaimInput, opts: { timeoutMs: number }): Promise<ClaimAnswer>;
  close(): Promise<void>;
}
