// Liveness (the process runs) and readiness (the store is reachable and migrated).
import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { sendError, unavailable } from '../errors.js';
import type { RoutesOptions } from './options.js';

export interface Readiness {
  migrated: boolean;
  /** Why the instance is not ready although migrated: OPENOM_FIXTURES still loading (CONTRACT §15). */
  pending?: string;
}

export const healthRoutes: FastifyPluginAsync<RoutesOptions & { readiness: Readiness }> = async (app, { store, readiness }) => {
  app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  // "Not ready" is an answer, not a failure: sent directly, so it is not logged as an error.
  const notReady = (message: string) => unavailable(message);
  app.get('/health/ready', { schema: { hide: true } }, async (request, reply) => {
    if (!readiness.migrated) return sendError(request, reply, notReady('The store is not migrated yet.'));
    if (readiness.pending) return sendError(request, reply, notReady(readiness.pending));
    try {
      await sql`select 1`.execute(store.db);
    } catch {
      return sendError(request, reply, notReady('The store is unreachable.'));
    }
    return { status: 'ok' };
  });
};
