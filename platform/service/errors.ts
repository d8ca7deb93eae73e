/**
 * The service's error codes, one list (docs/platform.md documents each; a
 * test checks that), and the error handler that turns every failure into
 * `{ statusCode, code, error, message }`: a 4xx names the bad field or
 * value; a 5xx says nothing of the internals (the log has the stack).
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '../../protocol/api.js';
import { BATCH_ERRORS, type BatchErrorCode } from '../../protocol/batch-errors.js';
import { StoreError, type StoreErrorCode } from '../store/errors.js';

const BATCH_REFUSALS = Object.fromEntries(Object.keys(BATCH_ERRORS).map((code) => [code, 422])) as Record<BatchErrorCode, 422>;

export const HTTP_ERRORS = {
  VALIDATION_FAILED: 400,
  BAD_JSON: 400,
  BAD_REQUEST: 400,
  BAD_CLAIMS: 400,
  BAD_SERIAL: 400,
  WEAK_PASSPHRASE: 400,
  ADMIN_AUTH_REQUIRED: 401,
  ADMIN_TOKEN_INVALID: 401,
  SIGNATURE_MISSING: 401,
  SIGNATURE_INVALID: 401,
  DIGEST_MISMATCH: 401,
  STALE_REQUEST: 401,
  REPLAYED_REQUEST: 401,
  UNKNOWN_TERMINAL: 401,
  TOKEN_UNKNOWN: 401,
  TERMINAL_DISABLED: 403,
  NOT_FOUND: 404,
  UNKNOWN_MERCHANT: 404,
  UNKNOWN_BRANCH: 404,
  UNKNOWN_COUPON: 404,
  TERMINAL_NOT_FOUND: 404,
  MERCHANT_EXISTS: 409,
  BRANCH_EXISTS: 409,
  COUPON_EXISTS: 409,
  ALREADY_REVOKED: 409,
  TERMINAL_KEY_EXISTS: 409,
  TOKEN_USED: 409,
  NO_MERCHANT_KEY: 409,
  TOKEN_EXPIRED: 410,
  BODY_TOO_LARGE: 413,
  // a USB batch the platform refuses (protocol/batch-errors.ts): the batch's own code
  ...BATCH_REFUSALS,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
  DATABASE_UNAVAILABLE: 503,
  NOT_INITIALISED: 503,
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly statusCode: number;
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.statusCode = HTTP_ERRORS[code];
  }
}

/** Store refusals as HTTP: the store's code where the API has the same one. */
const FROM_STORE: Partial<Record<StoreErrorCode, HttpErrorCode>> = {
  UNKNOWN_TERMINAL: 'TERMINAL_NOT_FOUND',
  REPLAYED_NONCE: 'REPLAYED_REQUEST',
};

function fromStore(err: StoreError): HttpError | undefined {
  const code = FROM_STORE[err.code] ?? (err.code in HTTP_ERRORS ? (err.code as HttpErrorCode) : undefined);
  return code === undefined ? undefined : new HttpError(code, err.message, { cause: err });
}

/** Fastify's own client errors (body parsing, content type, size) under our codes. */
function fromFastify(err: FastifyError): HttpError | undefined {
  if (err.validation) return new HttpError('VALIDATION_FAILED', err.message, { cause: err });
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new HttpError('BODY_TOO_LARGE', err.message, { cause: err });
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new HttpError('UNSUPPORTED_MEDIA_TYPE', err.message, { cause: err });
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) return new HttpError('BAD_JSON', `the body is not valid JSON (${err.message})`, { cause: err });
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return new HttpError('BAD_REQUEST', err.message, { cause: err });
  return undefined;
}

export function errorBody(err: HttpError): ErrorBody {
  return { statusCode: err.statusCode, code: err.code, error: STATUS_CODES[err.statusCode] ?? 'Error', message: err.message };
}

export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof StoreError) return fromStore(err) ?? new HttpError('INTERNAL', 'internal error');
  const known = fromFastify(err as FastifyError);
  if (known) return known;
  const dbDown = ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006', '08001'].includes((err as { code?: string }).code ?? '');
  return dbDown ? new HttpError('DATABASE_UNAVAILABLE', 'the database is unavailable; try again') : new HttpError('INTERNAL', 'internal error');
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const http = toHttpError(err);
    if (http.statusCode >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: http.code, msg: http.message }, 'request refused');
    return reply.code(http.statusCode).send(errorBody(http));
  });
  app.setNotFoundHandler(notFound);
}

/** 404 NOT_FOUND naming the method and path. A scope sets it again to give it the scope's hooks (terminal routes: authenticated, signed). */
export function notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const http = new HttpError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`);
  return reply.code(404).send(errorBody(http));
}
