// Request plumbing every route shares: correlation ids, security headers, tolerant body parsing
// (CONTRACT §4: sloppy clients), a deadline for bodies, refusing text no store can hold, and one
// JSON log line per request.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { registerBodyDeadline } from './bodyDeadline.js';
import { sentByBrowser } from './crossSite.js';
import { ApiError, badValue } from './errors.js';
import { coerceScalarStrings } from './scalarStrings.js';
import { unstorableInput } from './storableText.js';

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Reuse the caller's Klarna-Correlation-Id when it is sane, otherwise mint a UUID. */
export function correlationIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const incoming = request.headers['klarna-correlation-id'];
  return typeof incoming === 'string' && CORRELATION_ID.test(incoming) ? incoming : randomUUID();
}

/** A body that could not be parsed; only an error for routes that take a body. */
class UnparsedBody {
  constructor(readonly reason: string) {}
}

const MAX_JSON_DEPTH = 32;

function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91 /* { [ */) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return new UnparsedBody(`JSON is nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return new UnparsedBody('is not valid JSON');
  }
}

const JSON_TYPES = /^(application\/([\w.+-]*\+)?json|text\/plain)\s*(;|$)/i;
/** JSON as a browser must label it: text/plain (or nothing) would let a page on another site post it without asking the server first (CORS). */
const BROWSER_JSON_TYPES = /^application\/([\w.+-]*\+)?json\s*(;|$)/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes an HTML form (its plugin registers the parser), besides JSON. */
    formBody?: boolean;
  }
}

/** "http://api.example.com" at the start of an absolute-form request target (RFC 9112 §3.2.2). */
const ABSOLUTE_FORM_ORIGIN = /^https?:\/\/[^/?#]*/i;

/**
 * The request target as OpenOM routes it: the path of an absolute-form target, and every run of
 * slashes in the path made one (CONTRACT §4): Klarna serves `//ordermanagement/v1/…` as
 * `/ordermanagement/v1/…`, and clients such as Workarea's send it. Fastify's rewriteUrl (app.ts):
 * the router, every hook and the logs see only this path, so a route's auth, the portal's checks,
 * idempotency keys' bindings and route templates apply to it as to any other. The query is left as sent.
 */
export function routedTarget(url: string): string {
  const absolute = ABSOLUTE_FORM_ORIGIN.exec(url);
  const target = absolute ? `/${url.slice(absolute[0].length)}` : url;
  const end = target.indexOf('?');
  const path = end === -1 ? target : target.slice(0, end);
  if (!path.startsWith('/') || !path.includes('//')) return target;
  return path.replace(/\/{2,}/g, '/') + (end === -1 ? '' : target.slice(end));
}

/** Headers every response carries, also those Fastify's router answers itself (see app.ts). */
export function setStandardHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('klarna-correlation-id', request.id);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cache-control', 'no-store');
  if (!request.url.startsWith('/docs')) reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
}

export function registerPlumbing(app: FastifyInstance): void {
  // Callback-style hooks: these run on every request, and an async hook costs a promise each time.
  app.addHook('onRequest', (request, reply, done) => {
    // A content type but neither Content-Length nor Transfer-Encoding: a sloppy client that may
    // write a body after the head (CONTRACT §4). Those bytes cannot be told from the next request,
    // so this connection ends with the response.
    const headers = request.headers;
    if (headers['content-type'] !== undefined && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
      reply.header('connection', 'close');
    }
    setStandardHeaders(request, reply);
    done();
  });

  // One parser for every content type: bodies are parsed leniently here and judged per route below.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, parseBody(body as string)));

  app.addHook('preValidation', (request, _reply, done) => done(bodyProblem(request)));
  // After validation: only what will be kept is looked at.
  app.addHook('preHandler', (request, _reply, done) => done(unstorableInput(request)));
  registerBodyDeadline(app, app.server.requestTimeout);

  // The request line is an info line: at warn and above it is not even built.
  if (!['info', 'debug', 'trace'].includes(app.log.level)) return;
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const line = {
      merchant_id: request.merchantId || undefined,
      order_id: (request.params as { order_id?: string } | undefined)?.order_id?.slice(0, 128),
      method: request.method,
      route,
      status: reply.statusCode,
      error_code: request.errorCode || undefined,
      duration_ms: Math.round(reply.elapsedTime * 100) / 100,
    };
    // Load balancers and orchestrators probe health every few seconds: those lines are noise at info.
    if (route.startsWith('/health/')) request.log.debug(line, 'request');
    else request.log.info(line, 'request');
    done();
  });
}

/** Judges the parsed body for the route: undefined when it may go on to schema validation. */
function bodyProblem(request: FastifyRequest): ApiError | undefined {
  // A form post, parsed by the portal's own parser (src/portal/index.ts): its routes read the fields.
  if (request.body instanceof URLSearchParams) return undefined;
  if (request.routeOptions.schema?.body === undefined) {
    // cancel, acknowledge, release…: whatever a sloppy client sent along is ignored.
    request.body = undefined;
    return undefined;
  }
  const type = request.headers['content-type'];
  const acceptsForm = request.routeOptions.config.formBody === true && type !== undefined && FORM_TYPE.test(type);
  // Server-side clients may label JSON loosely or not at all (CONTRACT §4); browsers may not.
  const acceptsJson = sentByBrowser(request) ? type !== undefined && BROWSER_JSON_TYPES.test(type) : type === undefined || JSON_TYPES.test(type);
  if (!acceptsJson && !acceptsForm) {
    const named = type === undefined ? 'no Content-Type' : `Content-Type "${type.slice(0, 100)}"`;
    return new ApiError('BAD_VALUE', [`Bad value: ${named} is not supported; send application/json.`], {}, 415);
  }
  if (request.body instanceof UnparsedBody) return badValue(`Bad value: body (${request.body.reason})`);
  if (request.body === undefined) return badValue('Bad value: body (is required)');
  coerceScalarStrings(request.body);
  return undefined;
}
