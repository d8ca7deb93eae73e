// The checks tools/validators.ts compiles ahead of time into payload-validators.js (npm run build), with protocol/json-payload.ts's options.
import type { CompiledCheck } from '../validation.js';

export declare const trustBundle: CompiledCheck;
export declare const enrollmentDocument: CompiledCheck;
export declare const merchantKeys: CompiledCheck;
export declare const errorBody: CompiledCheck;
export declare const terminalStateResponse: CompiledCheck;
export declare const revocationsResponse: CompiledCheck;
export declare const claimResponse: CompiledCheck;
export declare const uploadResponse: CompiledCheck;
