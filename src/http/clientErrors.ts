// Requests Node cannot parse never reach Fastify's handlers; they are answered here, in Klarna's
// error format. CONTRACT §4: bytes a sloppy client writes after a GET (a body with neither
// Content-Length nor Transfer-Encoding) must not spoil the answer to that GET.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from './errors.js';

/** Sockets that have carried at least one request (marked by the onRequest hook in plumbing.ts). */
export const socketsWithRequests = new WeakSet<Socket>();

export function handleClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (inFlight && !inFlight.writableEnded) {
    // A request is being answered on this socket: let it finish, then close the connection,
    // so the stray bytes are neither answered nor read as the next request. (A body that is
    // late, Node's request timeout, is answered 408 by bodyDeadline.ts.)
    if (!inFlight.headersSent) inFlight.shouldKeepAlive = false;
    else inFlight.once('finish', () => socket.destroy());
    return;
  }
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  if (err.code !== 'HPE_HEADER_OVERFLOW' && err.code !== 'ERR_HTTP_REQUEST_TIMEOUT' && socketsWithRequests.has(socket)) {
    // Unparseable bytes on a kept-alive connection whose last request was already answered: the
    // body a sloppy client wrote after a body-less request, arriving late. An error response now
    // would be read as the answer to the client's next request, so close the connection quietly.
    socket.destroy();
    return;
  }
  const code = 'BAD_VALUE';
  const [status, label, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'Request headers are too large.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'The request took too long to arrive.']
        : [400, 'Bad Request', 'The request is not valid HTTP.'];
  const correlationId = randomUUID();
  const body = errorBody(correlationId, code, [message]);
  socket.end(
    `HTTP/1.1 ${status} ${label}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Klarna-Correlation-Id: ${correlationId}\r\nConnection: close\r\n\r\n${body}`,
  );
}
