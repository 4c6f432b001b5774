// /sandbox/v1: the test helpers a merchant developer drives a sandbox with (CONTRACT §5). Mounted
// by app.ts in sandbox mode only, behind merchant Basic auth. One plugin per resource.
import type { FastifyPluginAsync } from 'fastify';
import type { RoutesOptions } from '../options.js';
import { merchantWebhookRoutes } from '../webhooks.js';
import { checkoutCompletionRoutes } from './checkout.js';
import { clockRoutes } from './clock.js';
import { faultRoutes } from './faults.js';
import { fraudDecisionRoutes } from './fraudDecision.js';
import { pushRoutes } from './push.js';

export const sandboxRoutes: FastifyPluginAsync<RoutesOptions>[] = [clockRoutes, faultRoutes, fraudDecisionRoutes, merchantWebhookRoutes, checkoutCompletionRoutes, pushRoutes];
