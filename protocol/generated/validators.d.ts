// The checks tools/validators.ts compiles ahead of time into validators.js (npm run build), with protocol/validate.ts's options.
import type { CompiledCheck } from '../validation.js';

export declare const kioskConfig: CompiledCheck;
export declare const trustJson: CompiledCheck;
export declare const homeRecord: CompiledCheck;
export declare const enrollmentRecord: CompiledCheck;
export declare const trustRecord: CompiledCheck;
