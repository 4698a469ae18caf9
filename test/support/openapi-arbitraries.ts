// fast-check arbitraries built from the OpenAPI document the app serves: one request generator
// per operation, from its path and query parameters and its JSON body schema. Values mostly keep
// to the schema (so requests reach the use cases), and sometimes stray from it (wrong types,
// unknown fields, ids that do not exist, over-long path parameters) so the refusals are reached too.
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  additionalProperties?: boolean | JsonSchema;
}

export interface Operation {
  method: string;
  path: string;
  parameters: { in: string; name: string; required?: boolean; schema: JsonSchema }[];
  bodyTypes: string[];
  bodySchema: JsonSchema | undefined;
  responses: string[];
}

export interface GeneratedRequest {
  method: string;
  url: string;
  contentType?: string;
  payload?: string;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: Operation['parameters']; requestBody?: { content: Record<string, { schema?: JsonSchema }> }; responses: Record<string, unknown> }>>;
}

export function operationsOf(doc: OpenApiDoc): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      parameters: op.parameters ?? [],
      bodyTypes: Object.keys(op.requestBody?.content ?? {}),
      bodySchema: op.requestBody?.content['application/json']?.schema,
      responses: Object.keys(op.responses),
    })),
  );
}

/** Whether the operation documents `status` (exactly, as a range like 2XX, or as default). */
export function documents(op: Operation, status: number): boolean {
  return op.responses.includes(String(status)) || op.responses.includes(`${String(status)[0]}XX`) || op.responses.includes('default');
}

const MAX_DEPTH = 4;

/** Values that satisfy the schema, as far as a JSON Schema can say. */
export function valueOf(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > MAX_DEPTH) return fc.constant(null);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => valueOf(s, depth + 1)));
  const types = [schema.type ?? 'string'].flat();
  if (types.length > 1) return fc.oneof(...types.map((type) => valueOf({ ...schema, type }, depth + 1)));
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
      const max = Math.min(schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1_000_000), 2 ** 31);
      // Small ids name the objects the test made; large ones name nothing.
      return fc.oneof(fc.integer({ min: Math.max(min, 1), max: Math.max(Math.min(max, 4), Math.max(min, 1)) }), fc.integer({ min, max: Math.max(min, max) }));
    }
    case 'number': {
      const min = schema.minimum ?? schema.exclusiveMinimum ?? -1e6;
      const max = schema.maximum ?? schema.exclusiveMaximum ?? 1e6;
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true, minExcluded: schema.exclusiveMinimum !== undefined, maxExcluded: schema.exclusiveMaximum !== undefined });
    }
    case 'array':
      return fc.array(valueOf(schema.items, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case 'object': {
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, s] of Object.entries(props)) record[k] = valueOf(s, depth + 1);
      return fc.record(record, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) });
    }
    default:
      return stringOf(schema);
  }
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 24, 64));
  switch (schema.format) {
    case 'date-time':
      return fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date':
      return fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'uri':
    case 'url':
      return fc.constantFrom('rtsp://192.0.2.10/stream', 'http://192.0.2.10/x', 'file:///etc/passwd', 'not a url');
    default:
      return fc.oneof(
        fc.string({ minLength, maxLength }),
        fc.string({ unit: 'grapheme', minLength, maxLength }),
        fc.stringMatching(/^\d{20}$/),
        fc.constantFrom('national', 'anhui', 'harbin', 'schools', 'public_security', '../../etc/passwd', "' OR 1=1 --", '2026-11-01T00:00:00Z'),
      ).filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
  }
}

/** A value that breaks the schema: another type, or an object with a field nobody declared. */
const stray: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant({ unexpected: true }), fc.constant([]), fc.constant(''));

function pathValue(schema: JsonSchema): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: valueOf(schema).map((v) => String(v)) },
    { weight: 1, arbitrary: fc.constantFrom('0', '-1', 'abc', '1.5', '9'.repeat(120), '%00', '..') },
  );
}

/** Requests for one operation. */
export function requestsFor(op: Operation): fc.Arbitrary<GeneratedRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const path = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, pathValue(p.schema)])));
  const query = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, fc.oneof({ weight: 4, arbitrary: valueOf(p.schema) }, { weight: 1, arbitrary: stray })])), {
    requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name),
  });
  const body = bodyOf(op);
  return fc.tuple(path, query, body).map(([pv, qv, b]) => {
    let url = op.path;
    for (const [k, v] of Object.entries(pv)) url = url.replace(`{${k}}`, encodeURIComponent(v));
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(qv)) if (v !== undefined) qs.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    const q = qs.toString();
    return { method: op.method, url: q ? `${url}?${q}` : url, ...b };
  });
}

function bodyOf(op: Operation): fc.Arbitrary<{ contentType?: string; payload?: string }> {
  if (op.method === 'GET' || op.method === 'HEAD') return fc.constant({});
  if (op.bodySchema) {
    return fc.oneof(
      { weight: 5, arbitrary: valueOf(op.bodySchema).map((v) => ({ contentType: 'application/json', payload: JSON.stringify(v) })) },
      { weight: 1, arbitrary: stray.map((v) => ({ contentType: 'application/json', payload: JSON.stringify(v) })) },
      { weight: 1, arbitrary: fc.constantFrom({ contentType: 'application/json', payload: '{"broken":' }, { contentType: 'text/plain', payload: 'hello' }) },
    );
  }
  const other = op.bodyTypes[0];
  if (other) return fc.string({ maxLength: 200 }).map((payload) => ({ contentType: other, payload }));
  // Documented without a body (uploads take raw bytes): nothing, or something it may refuse.
  return fc.oneof(fc.constant({}), fc.constantFrom({ contentType: 'application/pdf', payload: '%PDF-1.4\n%%EOF' }, { contentType: 'application/json', payload: '{}' }));
}
