// Liveness (the process runs) and readiness (the store is reachable and migrated).
import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { ApiError } from '../errors.js';
import type { RoutesOptions } from './options.js';

export interface Readiness {
  migrated: boolean;
}

export const healthRoutes: FastifyPluginAsync<RoutesOptions & { readiness: Readiness }> = async (app, { store, readiness }) => {
  app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { schema: { hide: true } }, async () => {
    if (!readiness.migrated) throw new ApiError(503, 'SERVICE_UNAVAILABLE', ['The store is not migrated yet.'], { 'retry-after': '1' });
    try {
      await sql`select 1`.execute(store.db);
    } catch {
      throw new ApiError(503, 'SERVICE_UNAVAILABLE', ['The store is unreachable.'], { 'retry-after': '1' });
    }
    return { status: 'ok' };
  });
};
