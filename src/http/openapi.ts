// The OpenAPI 3.1 document (/openapi.json, /docs, clients/openapi.json). Routes describe what is
// theirs (operationId, summary, tags, parameters, body, success responses, domain refusals); the
// responses every route of a kind can get (401 and 429 behind credentials, 400/413/415 where a
// body or parameters are read, 404 where ids are, 500, 503) and the headers every response
// carries are added here, from the operation itself, so a new route is complete by default.
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { OPENOM_VERSION } from '../version.js';

type Json = Record<string, unknown>;

/** Credential kinds of app.ts's scopes: the security scheme, and the 401 (and 429) they answer with. */
const SECURITY = {
  merchant: {
    scheme: { type: 'http', scheme: 'basic', description: "The merchant's API username and password (HTTP Basic)" },
    unauthorized: 'MerchantUnauthorized',
    // Failed logins are throttled per client address and per username (src/http/auth.ts).
    throttled: true,
  },
  admin: {
    scheme: { type: 'http', scheme: 'bearer', description: 'OPENOM_ADMIN_TOKEN as a bearer token' },
    unauthorized: 'AdminUnauthorized',
    // Failed bearer tokens are throttled per client address, as merchant logins are.
    throttled: true,
  },
} as const;

export type SecurityKind = keyof typeof SECURITY;

const TAGS = [
  { name: 'Orders', description: 'Order Management v1: read an order and change it as a whole' },
  { name: 'Captures', description: 'Order Management v1: charge what shipped, and follow up on each capture' },
  { name: 'Refunds', description: 'Order Management v1: give money back, up to what was captured' },
  { name: 'Admin', description: 'OpenOM admin API (bearer token): merchants, authorized orders, their webhooks, metrics' },
  { name: 'Checkout', description: 'Checkout API v3 (sandbox mode; 404 in production mode): checkout orders, whose html_snippet frames the hosted test checkout' },
  { name: 'Sandbox', description: 'Test helpers of sandbox mode (merchant credentials); 404 in production mode' },
  { name: 'Klarna Payments', description: 'Klarna Payments API v1 (klarna profile, sandbox mode; 404 otherwise): payment sessions, and orders from authorization tokens' },
  { name: 'Hosted Payment Page', description: 'HPP API v1 (sandbox mode; 404 in production mode): pay a checkout order by link, QR code, e-mail or SMS (recorded, never sent)' },
  { name: 'Customer tokens', description: 'Customer Token API v1: recurring payments with the token a recurring checkout leaves' },
  { name: 'Settlements', description: 'Settlements API v1: payouts, their transactions and CSV reports, derived from the ledger on the merchant clock' },
];

const DESCRIPTION = `Wire-compatible Kustom/Klarna Order Management API v1, plus the OpenOM admin API and sandbox helpers.

- Amounts are integers in minor units (\`10000\` is 100.00 SEK).
- Every response carries \`Klarna-Correlation-Id\`: the request's own, when it sent a sane one, otherwise a new UUID.
- Every 4xx and 5xx has Klarna's error body (\`Error\`), whose \`correlation_id\` equals that header.
- \`Klarna-Idempotency-Key\` on a change replays the first completed response for that key (status, body, \`Location\`, \`Capture-Id\`, \`Refund-Id\`).
- \`503\` means "not applied, retry after \`Retry-After\` seconds".
- Answers to the request as such, not listed per operation: \`408\` (it did not arrive in time), \`431\` (headers too large), \`400\` or \`413\` (a body whose length is announced wrongly, or one above the size limit, on any path).

This document describes the server that serves it: its mode (sandbox or production) and profile (kustom or klarna) decide which operations exist.`;

const HEADERS: Record<string, Json> = {
  'Klarna-Correlation-Id': {
    description: "The request's Klarna-Correlation-Id if it sent a sane one (letters, digits, . _ : -, at most 128), otherwise a new UUID",
    required: true,
    schema: { type: 'string' },
  },
  'Retry-After': { description: 'Seconds to wait before retrying', required: true, schema: { type: 'integer', minimum: 0 } },
  'WWW-Authenticate-Basic': { description: 'Basic realm="OpenOM"', required: true, schema: { type: 'string' } },
  'WWW-Authenticate-Bearer': { description: 'Bearer realm="OpenOM admin"', required: true, schema: { type: 'string' } },
};

const header = (component: string) => ({ $ref: `#/components/headers/${component}` });

/** An error response with Klarna's body; extra maps more header names to their components. */
const errorResponse = (description: string, extra: Record<string, string> = {}) => ({
  description,
  headers: { 'Klarna-Correlation-Id': header('Klarna-Correlation-Id'), ...Object.fromEntries(Object.entries(extra).map(([name, c]) => [name, header(c)])) },
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const RESPONSES: Record<string, Json> = {
  BadRequest: errorResponse('BAD_VALUE: a field, parameter, header or the body is invalid; the message names it, as in "Bad value: order_lines[2].total_amount (…)"'),
  MerchantUnauthorized: errorResponse('UNAUTHORIZED: missing or wrong merchant credentials', { 'WWW-Authenticate': 'WWW-Authenticate-Basic' }),
  AdminUnauthorized: errorResponse('UNAUTHORIZED: missing or wrong admin token', { 'WWW-Authenticate': 'WWW-Authenticate-Bearer' }),
  NotFound: errorResponse("NO_SUCH_ORDER, NO_SUCH_CAPTURE, NO_SUCH_REFUND or NOT_FOUND: no such resource for this merchant (another merchant's order answers as an unknown one)"),
  PayloadTooLarge: errorResponse('BAD_VALUE: the body is larger than the limit (OPENOM_BODY_LIMIT_BYTES)'),
  UnsupportedMediaType: errorResponse('BAD_VALUE: the Content-Type is not JSON'),
  TooManyRequests: errorResponse('TOO_MANY_REQUESTS: too many failed logins from this address or for this username', { 'Retry-After': 'Retry-After' }),
  InternalServerError: errorResponse('INTERNAL_SERVER_ERROR'),
  ServiceUnavailable: errorResponse('SERVICE_UNAVAILABLE: not applied (the store is unreachable or not ready); retry', { 'Retry-After': 'Retry-After' }),
};

const CORRELATION_PARAMETER = {
  name: 'Klarna-Correlation-Id',
  in: 'header',
  required: false,
  description: 'Reused as the response\'s Klarna-Correlation-Id when sane (letters, digits, . _ : -, at most 128)',
  schema: { type: 'string', maxLength: 128 },
};

interface Operation extends Json {
  security?: Record<string, unknown>[];
  requestBody?: unknown;
  parameters?: Json[];
  responses: Record<string, Json>;
}

const METHODS_WITH_BODY = new Set(['post', 'put', 'patch']);

/** The standard responses an operation gets from what it reads and how it is authenticated. */
function standardResponses(method: string, op: Operation): [status: string, name: string][] {
  const inParams = new Set((op.parameters ?? []).map((p) => p.in));
  const out: [string, string][] = [];
  const kind = Object.keys(op.security?.[0] ?? {})[0] as SecurityKind | undefined;
  if (kind) {
    out.push(['401', SECURITY[kind].unauthorized]);
    if (SECURITY[kind].throttled) out.push(['429', 'TooManyRequests']);
  }
  if (op.requestBody || inParams.has('path') || inParams.has('query') || inParams.has('header')) out.push(['400', 'BadRequest']);
  if (inParams.has('path')) out.push(['404', 'NotFound']);
  // Sloppy clients send bodies along with bodiless POSTs too (CONTRACT §4): the size limit still applies.
  if (METHODS_WITH_BODY.has(method)) out.push(['413', 'PayloadTooLarge']);
  if (op.requestBody) out.push(['415', 'UnsupportedMediaType']);
  out.push(['500', 'InternalServerError'], ['503', 'ServiceUnavailable']);
  return out;
}

function completeOperation(method: string, op: Operation): void {
  for (const response of Object.values(op.responses)) {
    // A header a route declares for a response (Location, Capture-Id…) is one it always sends.
    const declared = Object.entries((response.headers ?? {}) as Record<string, Json>).map(([name, h]) => [name, { ...h, required: true }]);
    response.headers = { 'Klarna-Correlation-Id': header('Klarna-Correlation-Id'), ...Object.fromEntries(declared) };
  }
  for (const [status, name] of standardResponses(method, op)) {
    op.responses[status] ??= { $ref: `#/components/responses/${name}` };
  }
  op.parameters = [...(op.parameters ?? []), CORRELATION_PARAMETER];
}

/** Parameters that operations declare alike (order_id, Klarna-Idempotency-Key…): one named component each. */
function nameSharedParameters(operations: Operation[]): Json {
  const seen = new Map<string, { json: string; uses: number } | 'differs'>();
  for (const op of operations) {
    for (const p of op.parameters ?? []) {
      const name = String(p.name);
      const json = JSON.stringify(p);
      const before = seen.get(name);
      if (before === undefined) seen.set(name, { json, uses: 1 });
      else if (before !== 'differs') seen.set(name, before.json === json ? { json, uses: before.uses + 1 } : 'differs');
    }
  }
  const shared = new Map([...seen].flatMap(([name, s]) => (s !== 'differs' && s.uses > 1 && /^[\w.-]+$/.test(name) ? [[name, s.json]] : [])));
  for (const op of operations) {
    op.parameters = op.parameters?.map((p) => (shared.has(String(p.name)) ? { $ref: `#/components/parameters/${String(p.name)}` } : p));
  }
  return Object.fromEntries([...shared].map(([name, json]) => [name, JSON.parse(json) as Json]));
}

/**
 * TypeBox writes a union of string literals as anyOf [{const}], which @fastify/swagger turns into
 * anyOf [{enum: [one]}]. Generators make one enum type of a plain enum, so that is what is published.
 */
function collapseEnumUnions(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) collapseEnumUnions(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Json;
  for (const [key, value] of Object.entries(obj)) if (key !== 'examples' && key !== 'example') collapseEnumUnions(value);
  const members = obj.anyOf;
  if (!Array.isArray(members) || members.length === 0) return;
  const single = (m: Json) => Object.keys(m).length === 2 && m.type === 'string' && Array.isArray(m.enum) && m.enum.length === 1;
  if (!(members as Json[]).every(single)) return;
  delete obj.anyOf;
  obj.type = 'string';
  obj.enum = (members as Json[]).map((m) => (m.enum as unknown[])[0]);
}

/** The components ("kind/name") that node reaches, through any chain of references. */
function reachedComponents(node: unknown, candidates: Record<string, Json>): Set<string> {
  const reached = new Set<string>();
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (n !== null && typeof n === 'object') {
      for (const [key, value] of Object.entries(n)) {
        if (key !== '$ref' || typeof value !== 'string' || !value.startsWith('#/components/')) visit(value);
        else if (!reached.has(value.slice('#/components/'.length))) {
          const [kind = '', name = ''] = value.slice('#/components/'.length).split('/');
          reached.add(`${kind}/${name}`);
          visit(candidates[kind]?.[name]);
        }
      }
    }
  };
  visit(node);
  return reached;
}

/** @fastify/swagger's transformObject: completes what every route of a kind has in common. */
function completeDocument(doc: Json): Json {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation>>;
  const operations = Object.values(paths).flatMap((item) => Object.entries(item));
  for (const [method, op] of operations) completeOperation(method, op);
  const components = doc.components as Json;
  const candidates = {
    schemas: components.schemas as Json,
    responses: RESPONSES,
    headers: HEADERS,
    parameters: nameSharedParameters(operations.map(([, op]) => op)),
  };
  collapseEnumUnions(candidates.schemas);
  collapseEnumUnions(doc.paths);
  // Routes the mode or profile leaves out leave their schemas unused: publish only what is reached.
  const reached = reachedComponents(doc.paths, candidates);
  for (const [kind, all] of Object.entries(candidates)) {
    components[kind] = Object.fromEntries(Object.entries(all).filter(([name]) => reached.has(`${kind}/${name}`)));
  }
  return doc;
}

export const swaggerOptions: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'OpenOM: Order Management API v1',
      version: OPENOM_VERSION,
      description: DESCRIPTION,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Relative: the server that serves this document, whatever name or proxy it is reached through.
    servers: [{ url: '/', description: 'This OpenOM server' }],
    tags: TAGS,
    components: { securitySchemes: { merchant: SECURITY.merchant.scheme, admin: SECURITY.admin.scheme } },
  },
  // The document is the API: the operations app.ts's scope() put behind credentials (it sets their
  // security), and any other that declares its security itself (`security: []` for a public one).
  // Everything else (health, /docs, the portal's and checkout's HTML pages) stays out by default.
  transform: ({ schema, url }) => ({ schema: schema?.security ? schema : { ...schema, hide: true }, url }),
  // Schemas registered with app.addSchema become #/components/schemas/<$id> (src/http/schemas/components.ts).
  refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  transformObject: (document) => completeDocument((document as { openapiObject: Json }).openapiObject),
};
