// Where app.ts mounts the Hosted Payment Page (CONTRACT §13, sandbox mode): the merchant's API
// behind Basic auth, and the shopper's page with no credentials (the session id is the access).
// Its outbox read (/sandbox/v1/hpp/messages) is one of the sandbox helpers (sandboxRoutes.ts).
import type { FastifyPluginAsync } from 'fastify';
import type { SecurityKind } from '../http/openapi.js';
import type { RoutesOptions } from '../http/routes/options.js';
import { hppApiRoutes } from './apiRoutes.js';
import { hppPageRoutes } from './pageRoutes.js';
import { HPP_API_PREFIX, HPP_PAGE_PREFIX } from './paths.js';

export const HPP_SCOPES: [prefix: string, security: SecurityKind | 'none', plugins: FastifyPluginAsync<RoutesOptions>[]][] = [
  [HPP_API_PREFIX, 'merchant', [hppApiRoutes]],
  [HPP_PAGE_PREFIX, 'none', [hppPageRoutes]],
];
