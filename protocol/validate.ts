/**
 * JSON validation shared by the kiosk and the platform: a TypeBox schema,
 * compiled once with ajv, checks a raw value and reports EVERY problem at
 * once, each with its dotted path (`display.ssd1306.address`,
 * `platforms[0].keys[1].kid`), the bad value and a message a technician can
 * act on; unknown keys are problems too (schemas say
 * `additionalProperties: false`). A valid value comes back as a copy with the
 * schema's defaults filled in, deeply frozen.
 *
 * A schema may carry `expected: '...'` on any sub-schema: what the value must
 * be, in words ("4 hex digits, e.g. \"0c2e\""). It becomes the message for a
 * pattern, union or type mismatch there, instead of a regular expression or a
 * list of the union's branches.
 *
 * Pure: no files, no sockets (layer 1, docs/architecture.md).
 */
import { Ajv, type Options } from 'ajv';
import type { Static, TSchema } from 'typebox';
import { EXPECTED, validatorOf, type CompiledCheck, type Validator } from './validation.js';

export * from './validation.js';

/**
 * ajv's options for every Validator. Without ajv's code optimizer at run
 * time: these files are validated once, at start-up, where compiling is most
 * of the cost (the optimizer roughly doubles it and saves microseconds per
 * validation). tools/validators.ts compiles the kiosk's schemas ahead of time
 * with these same options (and the optimizer, which changes no result).
 */
export const VALIDATOR_OPTIONS = { allErrors: true, useDefaults: true, verbose: true, strict: true } as const satisfies Options;

/** A fresh ajv that compiles Validators; `options` add to VALIDATOR_OPTIONS (code generation). */
export function validatorAjv(options: Options = { code: { optimize: false } }): Ajv {
  return new Ajv({ ...VALIDATOR_OPTIONS, ...options }).addKeyword(EXPECTED);
}

let shared: Ajv | undefined;

/** Compile at run time, once per schema, with one shared ajv. */
export function compileSchema<S extends TSchema>(schema: S): Validator<Static<S>> {
  shared ??= validatorAjv();
  return validatorOf<Static<S>>(shared.compile(schema) as CompiledCheck);
}
