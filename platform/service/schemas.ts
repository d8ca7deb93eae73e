/** Pieces every route schema shares: the error answers and the admin security requirement. */
import { ErrorBody } from '../../protocol/api.js';

/** Error statuses any route may answer with, for serialisation and OpenAPI. */
export const ERROR_RESPONSES = { '4xx': ErrorBody, '5xx': ErrorBody } as const;

export const ADMIN_SECURITY = [{ adminToken: [] as string[] }];
export const TERMINAL_SECURITY = [{ terminalSignature: [] as string[] }];
