/**
 * The OpenAPI document, built by @fastify/swagger from the routes' own zod schemas
 * (fastify-type-provider-zod's jsonSchemaTransform); Swagger UI
 * on it at /docs (@fastify/swagger-ui, from node_modules: no CDN, works offline). The
 * document is served at /openapi.json by a route of api/server.ts (`app.swagger()`). Added to
 * what the schemas say: the Idempotency-Key header where it applies and a streamed route's
 * accepted files.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_PARAMETER,
  REPLAYED_HEADER,
  REPLAYED_RESPONSE_HEADER,
  takesIdempotencyKey,
} from './idempotency.js';
import { streamedRequestBody } from './streamed-bodies.js';

type Transform = typeof jsonSchemaTransform;

/** jsonSchemaTransform, plus the Idempotency-Key header and a streamed route's request body. */
const transform: Transform = (input) => {
  const out = jsonSchemaTransform(input);
  const { route } = input;
  const config = route.config ?? {};
  const schema = out.schema as Record<string, unknown> & {
    response?: Record<string, Record<string, unknown>>;
  };
  if (!schema || schema.hide) return out;
  if (takesIdempotencyKey(route.method, config)) {
    schema.headers = { type: 'object', properties: { [IDEMPOTENCY_HEADER]: IDEMPOTENCY_PARAMETER } };
    for (const [status, response] of Object.entries(schema.response ?? {}))
      if (status.startsWith('2')) response.headers = { [REPLAYED_HEADER]: REPLAYED_RESPONSE_HEADER };
  }
  if (config.streamBody) {
    const record = z.toJSONSchema(config.streamBody.record, { io: 'input', unrepresentable: 'any' });
    const { content, description } = streamedRequestBody(
      config.streamBody,
      record as { properties?: Record<string, unknown> },
    );
    schema.body = { content };
    // The body's size limit (@fastify/swagger keeps no description beside `content`).
    schema.description = `The body: ${description}`;
  }
  return out;
};

export const openApi = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'creditflow API',
          version: '1',
          description:
            'Every error is `{"error":{"code","message","fields"?}}`. A method a path does not serve answers 405 with an `Allow` header.',
        },
        components: {
          securitySchemes: {
            bearer: {
              type: 'http',
              scheme: 'bearer',
              description: 'cf_<id>_<secret>, from `npm run credentials`',
            },
          },
        },
      },
      transform,
      transformObject: jsonSchemaTransformObject,
      // JSON Schema 2020-12 as zod writes it (`const` included), as OpenAPI 3.1 allows.
      convertConstToEnum: false,
    });
    // Swagger UI's own routes (its page, scripts and the document again at /docs/json) are
    // public. Registered before api/plugins/roles.ts, whose check runs before this context's hook.
    await app.register(async (docs) => {
      docs.addHook('onRoute', (route) => {
        route.config = { ...route.config, public: true };
      });
      await docs.register(swaggerUi, {
        routePrefix: '/docs',
        uiConfig: { deepLinking: true, persistAuthorization: true, layout: 'BaseLayout' },
        // No call to swagger.io's online validator: the machine may be offline, and the document is ours.
        validatorUrl: false,
        // Our scripts only; Swagger UI styles itself inline and draws icons as data: images.
        staticCSP:
          "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      });
    });
  },
  { name: 'creditflow-openapi' },
);
