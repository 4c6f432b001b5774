// A request body must arrive within OPENOM_REQUEST_TIMEOUT_MS of the request's start. Node checks
// its requestTimeout only every 30 s and, once a request has reached Fastify, leaves the answer to
// us (clientErrors.ts), and a body that trickles in a byte at a time never trips the socket's idle
// timeout: without this a client could hold a connection open forever.
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

const requestTimeout = () => new ApiError('BAD_VALUE', ['The request took too long to arrive.'], {}, 408);

/** timeoutMs is the server's requestTimeout (app.ts sets it from the configuration); 0 turns it off, as in Node. */
export function registerBodyDeadline(app: FastifyInstance, timeoutMs: number): void {
  if (timeoutMs <= 0) return;
  app.addHook('preParsing', (request, reply, payload, done) => {
    const raw = request.raw;
    // Most bodies have arrived with their headers: nothing to watch. (app.inject's requests, which
    // come from no socket, have no `complete` at all.)
    if (raw.complete !== false) return done(null, payload);
    // Fastify's body parser reads this stream; failing it makes Fastify answer with our 408 and
    // end the connection (the rest of the body could not be told from a next request).
    const guarded = new PassThrough();
    guarded.on('error', () => undefined);
    payload.pipe(guarded);
    const timer = setTimeout(
      () => {
        if (raw.complete) return;
        if (reply.sent) {
          raw.socket.destroy();
          return;
        }
        // A route that does not read its body is still answered, then the connection ends.
        reply.raw.once('finish', () => raw.socket.destroy());
        guarded.destroy(requestTimeout());
      },
      Math.max(0, timeoutMs - reply.elapsedTime),
    );
    timer.unref();
    const socket = raw.socket;
    const stop = () => {
      clearTimeout(timer);
      socket.off('close', stop);
    };
    raw.once('end', stop);
    socket.once('close', stop);
    done(null, guarded);
  });
}
