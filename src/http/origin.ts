// OpenOM's own origin as a request sees it: the base of every absolute URL OpenOM sends (Location,
// CONTRACT §2) and the origin that browsers' requests to the APIs must come from (cross-site
// refusal, src/http/crossSite.ts).
import { isIPv6 } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** OPENOM_PUBLIC_URL, or the listen address (config.ts): the base when a request names no usable host. */
    publicUrl: string;
  }
}

export function decoratePublicUrl(app: FastifyInstance, publicUrl: string): void {
  app.decorate('publicUrl', publicUrl);
}

/** A DNS name or IPv4 address (letters, digits, '-', '_', dots), or a bracketed IPv6 address; then an optional port. */
const HOST_AND_PORT = /^(?:\[([0-9A-Fa-f:.]{2,45})\]|((?:[A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?))(?::([0-9]{1,5}))?$/;
const MAX_HOST_LENGTH = 255;

/** Whether host is a plain host[:port] that can stand in a URL as it is: no path, user info, spaces or control characters. */
export function isValidHost(host: string): boolean {
  if (host.length === 0 || host.length > MAX_HOST_LENGTH) return false;
  const match = HOST_AND_PORT.exec(host);
  if (!match) return false;
  const [, ipv6, , port] = match;
  if (ipv6 !== undefined && !isIPv6(ipv6)) return false;
  return port === undefined || Number(port) <= 65535;
}

/**
 * "https://api.example.com": the scheme OpenOM serves and the Host the client used (both from
 * X-Forwarded-Proto/-Host when a trusted proxy sent them, OPENOM_TRUST_PROXY_HOPS: Fastify reads
 * them only then), when they are usable in a URL; otherwise OPENOM_PUBLIC_URL or the listen address.
 */
export function originOf(request: FastifyRequest): string {
  const scheme = request.protocol.toLowerCase();
  const host = request.host;
  if ((scheme === 'http' || scheme === 'https') && isValidHost(host)) return `${scheme}://${host}`;
  return request.server.publicUrl;
}

/**
 * The absolute URL of path ("/ordermanagement/v1/…") on this server, as Klarna's Location headers
 * are, in URL's normal form (lower-case host, no default port).
 */
export function absoluteUrl(request: FastifyRequest, path: string): string {
  return new URL(`${originOf(request)}${path}`).href;
}

/** host[:port] of a URL, with the scheme's default port left out, as URL does; undefined for "null" or junk. */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a browser's Origin header names OpenOM itself: the host the request was sent to, or the
 * public URL's. Hosts only: behind a TLS-terminating proxy the scheme seen here differs.
 */
export function isOwnOrigin(request: FastifyRequest, origin: string): boolean {
  const host = hostOf(origin);
  return host !== undefined && (host === hostOf(originOf(request)) || host === hostOf(request.server.publicUrl));
}
