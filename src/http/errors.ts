// One error type and one place that renders Klarna's error body, for every 4xx/5xx. Statuses come
// from the error catalogue (src/domain/errorCodes.ts), never from the code that raises the error.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { statusOfErrorCode, type ErrorCode, type Problem } from '../domain/errorCodes.js';
import { isUnavailableError } from '../store/dialect.js';
import { CommitOutcomeUnknownError } from '../store/pgCommands.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The error_code of the error response sent, for the request log line. */
    errorCode: string;
  }
}

/** HTTP-level failures of a request as such (timeout, size, media type) that Klarna reports as BAD_VALUE. */
export type TransportStatus = 408 | 413 | 415 | 431;

export class ApiError extends Error {
  readonly statusCode: number;

  constructor(
    readonly errorCode: ErrorCode,
    readonly messages: string[],
    readonly headers: Record<string, string> = {},
    transportStatus?: TransportStatus,
  ) {
    super(messages.join('; '));
    this.statusCode = transportStatus ?? statusOfErrorCode(errorCode);
  }

  static of(problem: Problem, headers: Record<string, string> = {}): ApiError {
    return new ApiError(problem.code, [problem.message], headers);
  }
}

export const badValue = (message: string) => new ApiError('BAD_VALUE', [message]);

/** 503 as CONTRACT §2 means it: not applied, retry after the given seconds. */
export const unavailable = (message = 'The service is temporarily unavailable. Please retry.', retryAfterSeconds = 1) =>
  new ApiError('SERVICE_UNAVAILABLE', [message], { 'retry-after': String(retryAfterSeconds) });

export function errorBody(correlationId: string, errorCode: ErrorCode, messages: string[]): string {
  return JSON.stringify({ correlation_id: correlationId, error_code: errorCode, error_messages: messages });
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** "/order_lines/2/total_amount" → "order_lines[2].total_amount" */
function fieldPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra) parts.push(extra);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

function describe(e: AjvError): string {
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return `${fieldPath(e.instancePath, String(p.missingProperty))} (is required)`;
    case 'maxLength':
      return `${fieldPath(e.instancePath)} (must be at most ${String(p.limit)} characters)`;
    case 'minLength':
      return `${fieldPath(e.instancePath)} (must be at least ${String(p.limit)} characters)`;
    case 'maxItems':
      return `${fieldPath(e.instancePath)} (must have at most ${String(p.limit)} items)`;
    case 'minItems':
      return `${fieldPath(e.instancePath)} (must have at least ${String(p.limit)} items)`;
    case 'anyOf':
      return `${fieldPath(e.instancePath)} (is not one of the allowed values)`;
    case 'format':
      if (p.format === 'uuid') return `${fieldPath(e.instancePath)} (must be a UUID)`;
      return `${fieldPath(e.instancePath)} (${e.message ?? 'is invalid'})`;
    default:
      return `${fieldPath(e.instancePath) || 'body'} (${e.message ?? 'is invalid'})`;
  }
}

/** Ajv's first complaint, as Klarna words it: "Bad value: order_lines[2].total_amount (...)". */
function validationMessage(errors: AjvError[], context: string | undefined): string {
  // For union types Ajv reports every branch; the anyOf entry is the one that names the field.
  const error = errors.find((e) => e.keyword === 'anyOf') ?? errors[0];
  if (!error) return 'Bad value';
  const text = describe(error);
  // A path parameter is named as it is in the documentation (order_id), as a body field is.
  return context === 'body' || context === 'params' || context === undefined ? `Bad value: ${text}` : `Bad value: ${context} ${text}`;
}

function mapFastifyError(err: FastifyError): ApiError {
  if (err instanceof ApiError) return err;
  const validation = (err as { validation?: AjvError[]; validationContext?: string }).validation;
  if (validation) {
    return badValue(validationMessage(validation, (err as { validationContext?: string }).validationContext));
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('BAD_VALUE', ['Request body is too large.'], {}, 413);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return badValue(`Bad value: body (${err.message})`);
  }
  if (isUnavailableError(err)) return unavailable();
  // Not a 503: that would say "not applied", and the change may have been made (CONTRACT §2).
  if (err instanceof CommitOutcomeUnknownError) {
    return new ApiError('INTERNAL_SERVER_ERROR', [
      'The database connection was lost while committing and the outcome could not be read back. Read the order, or repeat the request with the same Klarna-Idempotency-Key.',
    ]);
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return badValue(`Bad value: ${err.message}`);
  return new ApiError('INTERNAL_SERVER_ERROR', ['An internal error occurred.']);
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: ApiError): FastifyReply {
  // Whatever an unauthenticated client still sends (a body trickling in) is not waited for.
  if (err.statusCode === 401) reply.header('connection', 'close');
  return sendWithStatus(request, reply, err, err.statusCode);
}

/**
 * A sandbox fault's answer (src/http/faults.ts): the merchant chose the status, which may differ
 * from the catalogue's for the code. Nothing else answers a code with a status of its choosing.
 */
export function sendFaultError(request: FastifyRequest, reply: FastifyReply, err: ApiError, status: number): FastifyReply {
  return sendWithStatus(request, reply, err, status);
}

function sendWithStatus(request: FastifyRequest, reply: FastifyReply, err: ApiError, status: number): FastifyReply {
  request.errorCode = err.errorCode;
  if (status === 401) reply.header('www-authenticate', 'Basic realm="OpenOM"');
  for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(request.id, err.errorCode, err.messages));
}

/**
 * Fastify's `frameworkErrors` option: errors its router raises before any hook runs (a path
 * parameter over maxParamLength, a malformed percent-encoding). Without it Fastify answers with
 * its own body and no Klarna-Correlation-Id. app.ts sets the standard headers first.
 */
export function handleFrameworkError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = (request.url.split('?')[0] ?? '').slice(0, 200);
  const apiError =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? // Every path parameter is an id, and one this long is no UUID: malformed, as a shorter one is (CONTRACT §4).
        badValue(`Bad value: an id in the path of ${path.slice(0, 60)}… (must be a UUID)`)
      : err.code === 'FST_ERR_BAD_URL'
        ? badValue('Bad value: the request URL is not validly encoded.')
        : mapFastifyError(err);
  return sendError(request, reply, apiError);
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.decorateRequest('errorCode', '');
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const apiError = mapFastifyError(err);
    if (apiError.statusCode === 503) request.log.warn({ err: err.message }, 'store unavailable');
    else if (apiError.statusCode >= 500) request.log.error({ err }, 'request failed');
    return sendError(request, reply, apiError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new ApiError('NOT_FOUND', [`No route for ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}.`])),
  );
}
