// The Node server under Fastify (its serverFactory): plain HTTP, or HTTPS with the configured
// certificate (CONTRACT §9), whose responses carry header names in canonical case (CONTRACT §4).
import { createServer as createHttpServer, ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { noteResponse } from './clientErrors.js';

/** Names whose canonical spelling is not "each dash-separated word capitalized". */
const IRREGULAR_NAMES: Record<string, string> = { 'www-authenticate': 'WWW-Authenticate', etag: 'ETag' };

/** Every name the server sends is one of a few dozen literals in the code: a small cache suffices. */
const canonicalNames = new Map<string, string>();
const MAX_CACHED_NAMES = 1000;

/** "klarna-correlation-id" → "Klarna-Correlation-Id", "www-authenticate" → "WWW-Authenticate". */
export function canonicalHeaderName(name: string): string {
  const cached = canonicalNames.get(name);
  if (cached !== undefined) return cached;
  const lower = name.toLowerCase();
  const canonical = IRREGULAR_NAMES[lower] ?? lower.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => dash + letter.toUpperCase());
  if (canonicalNames.size < MAX_CACHED_NAMES) canonicalNames.set(name, canonical);
  return canonical;
}

/**
 * As Node's flat [name, value, name, value…] list, which writeHead takes like an object: building an
 * array costs fewer instructions than an object with new keys (bench/header-case.ts).
 */
function canonicalHeaders(headers: OutgoingHttpHeaders): OutgoingHttpHeader[] {
  const out: OutgoingHttpHeader[] = [];
  for (const name in headers) out.push(canonicalHeaderName(name), headers[name]!);
  return out;
}

/**
 * Fastify lower-cases every name given to reply.header(), and Node writes names as given. Klarna
 * sends `Location`, `Content-Type`, `Capture-Id`…, and its PHP SDK (Guzzle) looks `Location` and
 * `Content-Type` up case-sensitively, so names are put right here, on the way to the wire.
 */
export class CanonicalResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  override setHeader(name: string, value: number | string | readonly string[]): this {
    return super.setHeader(canonicalHeaderName(name), value);
  }

  override appendHeader(name: string, value: string | readonly string[]): this {
    return super.appendHeader(canonicalHeaderName(name), value);
  }

  override writeHead(statusCode: number, reasonOrHeaders?: string | OutgoingHttpHeaders | OutgoingHttpHeader[], headers?: OutgoingHttpHeaders | OutgoingHttpHeader[]): this {
    // Fastify calls writeHead(status, headers object); an array of raw pairs goes through as given.
    if (typeof reasonOrHeaders === 'string') return super.writeHead(statusCode, reasonOrHeaders, isHeaderObject(headers) ? canonicalHeaders(headers) : headers);
    return super.writeHead(statusCode, isHeaderObject(reasonOrHeaders) ? canonicalHeaders(reasonOrHeaders) : reasonOrHeaders);
  }
}

function isHeaderObject(headers: OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined): headers is OutgoingHttpHeaders {
  return headers !== undefined && !Array.isArray(headers);
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

/** The timeouts Fastify would set on a server it created itself (it passes its options to serverFactory). */
interface FastifyTimeouts {
  keepAliveTimeout?: number;
  requestTimeout?: number;
  connectionTimeout?: number;
}

/** A Fastify serverFactory: HTTPS when tls is given, HTTP otherwise. */
export function serverFactory(tls: TlsMaterial | undefined) {
  return (handler: RequestListener, fastifyOptions: FastifyTimeouts): Server => {
    const server = tls
      ? // An https.Server serves requests exactly as an http.Server does; Fastify's types know only one kind per instance.
        (createHttpsServer({ ServerResponse: CanonicalResponse, cert: tls.cert, key: tls.key }, handler) as unknown as Server)
      : createHttpServer({ ServerResponse: CanonicalResponse }, handler);
    // Each request is emitted before Node reads any further bytes: stray ones then find its response (clientErrors.ts).
    server.prependListener('request', noteResponse);
    if (fastifyOptions.keepAliveTimeout) server.keepAliveTimeout = fastifyOptions.keepAliveTimeout;
    if (fastifyOptions.requestTimeout) server.requestTimeout = fastifyOptions.requestTimeout;
    if (fastifyOptions.connectionTimeout) server.setTimeout(fastifyOptions.connectionTimeout);
    return server;
  };
}
