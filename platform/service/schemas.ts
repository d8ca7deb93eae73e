/** Pieces every route schema shares: the error answers and the admin security requirement. */
import { ErrorBody } from '../../protocol/api.js';

/** The error body, registered once by the composition root (one component in OpenAPI). */
export const ERROR_SCHEMA = { ...ErrorBody, $id: 'ErrorBody', title: 'ErrorBody' };

/** Error statuses any route may answer with, for serialisation and OpenAPI. */
export const ERROR_RESPONSES = { '4xx': { $ref: 'ErrorBody#' }, '5xx': { $ref: 'ErrorBody#' } } as const;

export const ADMIN_SECURITY = [{ adminToken: [] as string[] }];
export const TERMINAL_SECURITY = [{ terminalSignature: [] as string[] }];
