/** Build step after tsc: writes dist/protocol/generated/*.js (tools/validators.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED, generatedSource } from './validators.js';

export const GENERATED_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../protocol/generated');

mkdirSync(GENERATED_DIR, { recursive: true });
for (const mod of GENERATED) writeFileSync(path.join(GENERATED_DIR, mod.file), generatedSource(mod));
