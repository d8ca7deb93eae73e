/**
 * The terminal API's answers as the kiosk reads them (sync/transport/client.ts):
 * checked with what tools/validators.ts compiles at build time from the
 * schemas in api.ts and sync.ts, so the kiosk's sync worker and claims load
 * neither typebox nor ajv (docs/decisions.md, "validators compiled at build
 * time"). The platform keeps serving and checking with the schemas themselves.
 */
import type { ErrorBody, RevocationsResponse, TerminalStateResponse } from './api.js';
import { claimResponse, errorBody, revocationsResponse, terminalStateResponse, uploadResponse } from './generated/payload-validators.js';
import { jsonReader, type JsonReader } from './payload-reader.js';
import type { ClaimResponse, UploadResponse } from './sync.js';

export type AnswerReader<T> = JsonReader<T>;

/** A refusal's body (any non-2xx answer). */
export const errorAnswer: AnswerReader<ErrorBody> = jsonReader(() => errorBody, 'error answer');
/** GET /v1/terminal/state */
export const terminalStateAnswer: AnswerReader<TerminalStateResponse> = jsonReader(() => terminalStateResponse, 'platform answer');
/** GET /v1/terminal/revocations */
export const revocationsAnswer: AnswerReader<RevocationsResponse> = jsonReader(() => revocationsResponse, 'platform answer');
/** POST /v1/terminal/claims */
export const claimAnswer: AnswerReader<ClaimResponse> = jsonReader(() => claimResponse, 'platform answer');
/** POST /v1/terminal/redemptions */
export const uploadAnswer: AnswerReader<UploadResponse> = jsonReader(() => uploadResponse, 'platform answer');
