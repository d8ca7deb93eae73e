/**
 * Request validation: ajv 8 (with ajv-formats), one instance per part of the
 * request. Bodies are JSON, so a wrong type there is the caller's mistake and
 * gets a 400 (no coercion: "2" is not a quantity); query strings and path
 * parameters are text by nature, so numbers and booleans are coerced there.
 * Unknown properties are refused (additionalProperties: false in the
 * schemas), never silently dropped. The first error is reported: it names the
 * field, and validating everything of a huge hostile body is work for nothing.
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';

function ajv(options: Options): Ajv {
  const a = new Ajv({ removeAdditional: false, useDefaults: true, allErrors: false, strict: true, ...options });
  // TypeBox adds `description`/`$id` and OpenAPI needs `example`: keywords ajv should accept without acting on
  a.addKeyword('example');
  (addFormats as unknown as (a: Ajv) => Ajv)(a);
  return a;
}

export function installValidators(app: FastifyInstance): void {
  const body = ajv({ coerceTypes: false });
  const text = ajv({ coerceTypes: true });
  app.setValidatorCompiler(({ schema, httpPart }: { schema: FastifySchema; httpPart?: string }) => {
    const compiler = httpPart === 'body' ? body : text;
    return compiler.compile(schema as object);
  });
}
