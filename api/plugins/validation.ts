/**
 * Route schemas are zod (fastify-type-provider-zod): requests are parsed with them before a
 * handler runs, answers are checked against them as they are sent. Before zod, every request
 * part is refused when it holds text PostgreSQL cannot store (a NUL, an unpaired surrogate) or
 * nests deeper than MAX_JSON_DEPTH. A failure reaches api/plugins/errors.ts as fastify's
 * validation error, which names the field.
 */
import type { FastifySchemaCompiler } from 'fastify';
import fp from 'fastify-plugin';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodType } from 'zod';
import { unstorableText } from '../../domain/text.js';

const validateRequestPart: FastifySchemaCompiler<ZodType> = (route) => {
  const validate = validatorCompiler(route);
  return (data) => {
    // No body is `undefined` to zod (fastify passes null); absent params or query are empty.
    const value = data ?? (route.httpPart === 'body' ? undefined : {});
    const unstorable = unstorableText(value);
    if (unstorable) {
      const issue = { instancePath: `/${unstorable.path.join('/')}`, message: unstorable.message };
      return {
        error: [{ keyword: 'unstorable', schemaPath: '#', params: {}, ...issue }] as unknown as Error,
      };
    }
    return validate(value);
  };
};

export const validation = fp(
  async (app) => {
    app.setValidatorCompiler(validateRequestPart);
    app.setSerializerCompiler(serializerCompiler);
  },
  { name: 'creditflow-validation' },
);
