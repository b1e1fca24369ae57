/**
 * fast-check arbitraries for request bodies: arbitrary JSON, wrong types, hostile
 * numbers, strings and dates, raw payloads that are not JSON at all, and mutations
 * of a valid body (a field dropped, retyped, or an extra one added, at any depth).
 * Used by test/integration/fuzz-post-bodies.test.ts for every POST and PUT route.
 */
import fc from 'fast-check';

/** One request body as sent: the raw payload and its content type. */
export interface BodyCase {
  kind: 'json' | 'keyed' | 'mutated' | 'valid' | 'raw';
  payload: string;
  contentType: string | undefined;
}

/**
 * A number JSON can spell but JavaScript cannot hold (1e400, 30 digits): kept as a
 * marker through JSON.stringify and spliced into the payload as a literal.
 */
const RAW_KEY = '__fuzz_raw_literal__';
const rawLiteral = (literal: string) => ({ [RAW_KEY]: literal });
export function serialize(value: unknown): string {
  return JSON.stringify(value).replace(new RegExp(`\\{"${RAW_KEY}":"([^"]*)"\\}`, 'g'), '$1');
}

const RAW_NUMBERS = [
  '1e400',
  '-1e400',
  '123456789012345678901234567890',
  '9007199254740993',
  '1E3',
  '-0',
  '0.1e-400',
  '1.0',
];

export const badDate = fc.constantFrom(
  '2026-02-30',
  '2025-02-29',
  '2026-13-01',
  '2026-00-10',
  '2026-04-31',
  '2026-1-1',
  '20260101',
  '2026/01/01',
  '2026-01-01T00:00:00Z',
  ' 2026-01-01',
  '0000-01-01',
  '0099-12-31',
  '9999-99-99',
  '10000-01-01',
  '２０２６-０１-０１',
  '',
);

export const badNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    -0.5,
    0.5,
    1.5,
    -100.25,
    2 ** 31,
    2 ** 53,
    2 ** 53 + 2,
    2 ** 63,
    1e21,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    5e-324,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(...RAW_NUMBERS).map(rawLiteral),
);

export const badString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }), // control characters, lone surrogates
  fc.constantFrom(
    '',
    ' ',
    '\t\n',
    '\u0000',
    'a\u0000b',
    '\uD800',
    'x\uDFFFy',
    '🙂',
    'مرحبا',
    'Z͑ͫ̓ͪ̂ͫ̽͏̴̙̤̞͉͚̯̞̠͍A',
    '\u202Eevil',
    "'; DROP TABLE counterparties; --",
    '<script>alert(1)</script>',
    '%s%n%x',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection string, sent as it is
    '${jndi:ldap://x}',
    'null',
    'true',
    '1e3',
    '-1',
    'NaN',
    'Infinity',
    '__proto__',
  ),
  fc.integer({ min: 2_001, max: 200_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1_000, max: 60_000 }).map((n) => '界'.repeat(n)),
);

/** A value of the wrong kind for almost any field. */
export const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 3 },
  { arbitrary: badNumber, weight: 3 },
  { arbitrary: badString, weight: 3 },
  { arbitrary: badDate, weight: 2 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}), weight: 1 },
  { arbitrary: fc.array(badString, { maxLength: 3 }), weight: 1 },
);

/** Payloads that are not a JSON body the API can parse, or not JSON at all. */
const rawPayload: fc.Arbitrary<BodyCase> = fc
  .constantFrom<[string, string | undefined]>(
    ['{oops', 'application/json'],
    ['', 'application/json'],
    ['null', 'application/json'],
    ['[', 'application/json'],
    ['"just a string"', 'application/json'],
    ['{"a":1,"a":2}', 'application/json'],
    ['{"__proto__":{"admin":true}}', 'application/json'],
    ['{"constructor":{"prototype":{"admin":true}}}', 'application/json'],
    ['\uFEFF{}', 'application/json'],
    ['{}', 'application/json; charset=latin1'],
    ['a=1&b=2', 'application/x-www-form-urlencoded'],
    ['hello', 'text/plain'],
    ['<x/>', 'application/xml'],
    ['{}', undefined],
    [`{"x":"${'y'.repeat(1_100_000)}"}`, 'application/json'], // over the 1 MiB body limit
  )
  .map(([payload, contentType]) => ({ kind: 'raw' as const, payload, contentType }));

type Path = (string | number)[];

/** Every path into a JSON value: object keys and array indexes at every depth. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([...prefix, i], ...pathsOf(v, [...prefix, i]));
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...pathsOf(v, [...prefix, k]));
  }
  return out;
}

interface Mutation {
  pick: number;
  /** delete the field; set it to anything; `hostile`: a hostile value of the same JSON type; add an extra key. */
  op: 'delete' | 'set' | 'hostile' | 'extra';
  key: string;
  value: unknown;
  /** The hostile values, by the JSON type of the value replaced. */
  hostile: { string: string; number: unknown };
}

/** Applies mutations to a deep copy of `base`; each picks a path (or, for `extra`, an object). */
export function mutate(base: unknown, mutations: Mutation[]): unknown {
  let body: unknown = structuredClone(base);
  for (const generated of mutations) {
    // Values go in as copies: fast-check may hand the same object to many runs, and a later
    // mutation writing inside an inserted value must not change (or loop) that shared object.
    const m = { ...generated, value: structuredClone(generated.value) };
    const paths = pathsOf(body);
    if (m.op === 'extra' || paths.length === 0) {
      const objects = [[], ...paths].filter((p) => {
        const v = getAt(body, p);
        return v !== null && typeof v === 'object' && !Array.isArray(v);
      });
      const target = objects[m.pick % Math.max(1, objects.length)];
      const obj = target ? getAt(body, target) : undefined;
      if (obj && typeof obj === 'object') (obj as Record<string, unknown>)[m.key] = m.value;
      else body = m.value;
      continue;
    }
    const path = paths[m.pick % paths.length] as Path;
    const parent = getAt(body, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
    const last = path[path.length - 1] as string | number;
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (m.op === 'hostile') {
      const current = (parent as Record<string | number, unknown>)[last];
      (parent as Record<string | number, unknown>)[last] =
        typeof current === 'string'
          ? m.hostile.string
          : typeof current === 'number'
            ? m.hostile.number
            : m.value;
    } else {
      (parent as Record<string | number, unknown>)[last] = m.value;
    }
  }
  return body;
}

function getAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const p of path) v = (v as Record<string | number, unknown>)?.[p];
  return v;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom<Mutation['op']>('delete', 'set', 'set', 'hostile', 'hostile', 'hostile', 'extra'),
  key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'id', 'extra')),
  value: weirdValue,
  hostile: fc.record({ string: fc.oneof(badString, badDate), number: badNumber }),
});

const json = (kind: BodyCase['kind']) => (value: unknown) => ({
  kind,
  payload: serialize(value),
  contentType: 'application/json',
});

/**
 * The mix of bodies for one route: arbitrary JSON, objects with the route's own keys
 * holding wrong values, mutations of a valid body, valid bodies, and raw payloads.
 */
export function bodyCases(valid: fc.Arbitrary<unknown>, keys: string[]): fc.Arbitrary<BodyCase> {
  const keyed =
    keys.length > 0
      ? fc.dictionary(fc.constantFrom(...keys), weirdValue, { maxKeys: keys.length }).map(json('keyed'))
      : fc.dictionary(fc.string(), weirdValue, { maxKeys: 4 }).map(json('keyed'));
  return fc.oneof(
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map(json('json')), weight: 2 },
    { arbitrary: keyed, weight: 2 },
    {
      arbitrary: fc
        .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }))
        .map(([base, ms]) => json('mutated')(mutate(base, ms))),
      weight: 5,
    },
    { arbitrary: valid.map(json('valid')), weight: 1 },
    { arbitrary: rawPayload, weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------------------
// A plausible body from a JSON Schema (OpenAPI request body), for routes with no hand-written example.

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  default?: unknown;
}

export function fromSchema(s: JsonSchema | undefined): fc.Arbitrary<unknown> {
  if (!s) return fc.constant({});
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  const union = s.anyOf ?? s.oneOf;
  if (union?.length) return fc.oneof(...union.map(fromSchema));
  if (s.allOf?.length) return fromSchema(s.allOf[0]);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const props = Object.entries(s.properties ?? {});
      return fc.record(Object.fromEntries(props.map(([k, v]) => [k, fromSchema(v)])), {
        requiredKeys: s.required ?? [],
      });
    }
    case 'array':
      return fc.array(fromSchema(s.items), { minLength: s.minItems ?? 0, maxLength: (s.minItems ?? 0) + 2 });
    case 'integer': {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
      return fc.integer({ min, max: Math.min(s.maximum ?? min + 1000, min + 1_000_000) });
    }
    case 'number':
      return fc.integer({ min: s.minimum ?? 0, max: (s.minimum ?? 0) + 1000 });
    case 'boolean':
      return fc.boolean();
    case 'string': {
      if (s.format === 'email') return fc.constant('fuzz@example.test');
      if (s.format === 'uuid') return fc.uuid();
      if (s.format === 'date') return fc.constant('2025-06-30');
      if (s.pattern) {
        const maxLength = s.maxLength ?? 40;
        return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length <= maxLength && x.length > 0);
      }
      return fc.string({
        minLength: Math.max(1, s.minLength ?? 1),
        maxLength: Math.min(s.maxLength ?? 20, 20),
      });
    }
    default:
      return fc.constant(null);
  }
}
