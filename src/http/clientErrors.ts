// Requests Node cannot parse never reach Fastify's handlers; they are answered here, in Klarna's
// error format. CONTRACT §4: bytes a sloppy client writes after a GET (a body with neither
// Content-Length nor Transfer-Encoding) must not spoil the answer to that GET.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from './errors.js';

/**
 * The newest response of each socket that has carried a request (noted as each request is emitted,
 * server.ts). Not the socket's `_httpMessage`: that is the response being written, and Node queues
 * the next request's response behind it until it emits 'finish', which over TLS comes only once
 * the encrypted bytes are written out, often after the client has already sent its next request.
 */
const newestResponses = new WeakMap<Socket, ServerResponse>();

export function noteResponse(request: IncomingMessage, response: ServerResponse): void {
  newestResponses.set(request.socket, response);
}

export function handleClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const newest = newestResponses.get(socket);
  if (newest && !newest.writableFinished) {
    // A request is being answered on this socket (or its answer is still on its way out): let it
    // finish, then close the connection, so the stray bytes are neither answered nor read as the
    // next request. (A body that is late, Node's request timeout, is answered 408 by bodyDeadline.ts.)
    if (!newest.headersSent) newest.shouldKeepAlive = false;
    else newest.once('finish', () => socket.destroy());
    return;
  }
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  if (err.code !== 'HPE_HEADER_OVERFLOW' && err.code !== 'ERR_HTTP_REQUEST_TIMEOUT' && newest) {
    // Unparseable bytes on a kept-alive connection whose last request was answered and written
    // out: the body a sloppy client wrote after a body-less request, arriving late. An error
    // response now would be read as the answer to the client's next request, so close quietly.
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
