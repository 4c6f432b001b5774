// How the CLI talks to a running OpenOM: address and credentials from the environment, one request,
// and the answer turned into what the CLI prints, or into a one-line failure.
import type { IncomingHttpHeaders } from 'node:http';
import { CliFailure, EXIT_FAILED, oneLine, usageError } from './output.js';
import { OPENOM_VERSION } from '../version.js';

export type Env = Record<string, string | undefined>;
export type Access = 'admin' | 'merchant';

export const DEFAULT_URL = 'http://127.0.0.1:8080';
const TIMEOUT_MS = 30_000;

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  idempotencyKey?: string;
}

/** The server's address: --url, else OPENOM_URL, else the default. */
export function serverUrl(flag: string | undefined, env: Env): URL {
  const source = flag === undefined ? 'OPENOM_URL' : '--url';
  const raw = flag ?? (env.OPENOM_URL || DEFAULT_URL);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`${source} is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`${source} must start with http:// or https://, got "${raw}"`);
  return url;
}

/** The Authorization header a command needs; a missing variable is named. */
export function authorization(access: Access, env: Env): string {
  if (access === 'admin') {
    if (!env.OPENOM_ADMIN_TOKEN) {
      throw usageError('OPENOM_ADMIN_TOKEN is not set (the admin token the server was started with, or printed at its first start)');
    }
    return `Bearer ${env.OPENOM_ADMIN_TOKEN}`;
  }
  const missing = ['OPENOM_USERNAME', 'OPENOM_PASSWORD'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw usageError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set (the merchant's API credentials, from \`openom merchants create\`)`);
  }
  return `Basic ${Buffer.from(`${env.OPENOM_USERNAME}:${env.OPENOM_PASSWORD}`).toString('base64')}`;
}

/** Sends one request; returns the JSON to print (or the text of a CSV answer), or throws the failure to report. */
export async function send(base: URL, authorizationHeader: string, req: ApiRequest): Promise<unknown> {
  const answer = await sendForAnswer(base, authorizationHeader, req);
  if (answer.text === '') return namedByHeaders(answer.headers);
  // A report (the Settlements API's CSV) is printed as it came.
  if (String(answer.headers['content-type'] ?? '').startsWith('text/csv')) return answer.text;
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    throw new CliFailure(EXIT_FAILED, `${answer.status} answer from ${base.origin} is not JSON`);
  }
}

/** Sends one request; returns the successful answer as it came (a snapshot is saved byte for byte). */
export async function sendForAnswer(base: URL, authorizationHeader: string, req: ApiRequest): Promise<Answer> {
  // Keeps a path prefix in the base URL (OpenOM behind a reverse proxy at /openom/).
  const url = new URL(base.pathname.replace(/\/$/, '') + req.path, base);
  const body = req.body === undefined ? undefined : JSON.stringify(req.body);
  const headers: Record<string, string> = { Authorization: authorizationHeader, Accept: 'application/json', 'User-Agent': `openom-cli/${OPENOM_VERSION}` };
  if (body !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
  if (req.idempotencyKey !== undefined) headers['Klarna-Idempotency-Key'] = req.idempotencyKey;
  let answer: Answer;
  try {
    answer = await exchange(url, req.method, headers, body);
  } catch (err) {
    throw new CliFailure(EXIT_FAILED, unreachable(base, err));
  }
  if (answer.status < 200 || answer.status > 299) throw new CliFailure(EXIT_FAILED, refusal(answer));
  return answer;
}

export interface Answer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * node:http rather than fetch: loading fetch (undici) costs more than the rest of a command. One
 * connection, closed after the answer; no redirects are followed, so credentials stay with the URL
 * given. HTTPS trusts what Node trusts, NODE_EXTRA_CA_CERTS included.
 */
async function exchange(url: URL, method: string, headers: Record<string, string>, body: string | undefined): Promise<Answer> {
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false, signal: AbortSignal.timeout(TIMEOUT_MS) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A 201 or 204 without a body prints what its headers name; `{}` when they name nothing. */
function namedByHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const named: Record<string, string> = {};
  for (const [header, field] of [['capture-id', 'capture_id'], ['refund-id', 'refund_id'], ['location', 'location']] as const) {
    const value = headers[header];
    if (typeof value === 'string' && value !== '') named[field] = value;
  }
  return named;
}

function refusal(answer: Answer): string {
  let body: { correlation_id?: unknown; error_code?: unknown; error_messages?: unknown } | undefined;
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    body = undefined;
  }
  if (body && typeof body.error_code === 'string' && Array.isArray(body.error_messages)) {
    return oneLine(`${answer.status} ${body.error_code}: ${body.error_messages.join('; ')} (correlation id ${String(body.correlation_id)})`);
  }
  const correlationId = answer.headers['klarna-correlation-id'];
  return oneLine(`${answer.status} ${answer.statusText || 'error'} without a Klarna error body${correlationId ? ` (correlation id ${String(correlationId)})` : ''}`);
}

function unreachable(base: URL, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.name === 'AbortError') return `no answer from ${base.origin} within ${TIMEOUT_MS / 1000} s`;
  const reason = e.code ?? e.message;
  const hint = /CERT|SELF_SIGNED/.test(reason) ? ' (for a self-signed certificate, set NODE_EXTRA_CA_CERTS to its file)' : '';
  return oneLine(`cannot reach ${base.origin}: ${reason}${hint}`);
}
