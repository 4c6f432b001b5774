// A typed client for OpenOM: openapi-fetch over the types openapi-typescript generated from the
// OpenAPI document (schema.d.ts, from clients/openapi.json). Paths, parameters, bodies, responses
// and error bodies are all checked by the compiler.
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };
export type Order = components['schemas']['Order'];
export type Capture = components['schemas']['Capture'];
export type Refund = components['schemas']['Refund'];
export type ApiError = components['schemas']['Error'];

/** A merchant's API username and password (Order Management, sandbox helpers) or the admin token (admin API). */
export type Credentials = { username: string; password: string } | { adminToken: string };

function authorization(credentials: Credentials): string {
  if ('adminToken' in credentials) return `Bearer ${credentials.adminToken}`;
  // UTF-8 before base64, as servers decode Basic credentials.
  const bytes = new TextEncoder().encode(`${credentials.username}:${credentials.password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * A client for the OpenOM server at baseUrl (e.g. "http://127.0.0.1:8080"). Created resources are
 * named by headers: `response.headers.get('Capture-Id')`, `…get('Location')`.
 */
export function createOpenOMClient(baseUrl: string, credentials: Credentials): Client<paths> {
  return createClient<paths>({ baseUrl, headers: { Authorization: authorization(credentials) } });
}
