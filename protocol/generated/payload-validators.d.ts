// The checks tools/validators.ts compiles ahead of time into payload-validators.js (npm run build), with protocol/json-payload.ts's options.
import type { CompiledCheck } from '../validation.js';

export declare const trustBundle: CompiledCheck;
export declare const enrollmentDocument: CompiledCheck;
