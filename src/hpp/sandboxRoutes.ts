// GET /sandbox/v1/hpp/messages: the outbox of payment links OpenOM would have sent by e-mail or
// SMS (CONTRACT §13), newest first. Nothing is ever sent: a test reads the link here.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sendJson } from '../http/commandReply.js';
import type { RoutesOptions } from '../http/routes/options.js';
import { listDistributions } from '../store/hppSessions.js';
import { messageJson } from './apiRoutes.js';
import { HppMessageList, HppMessagesQuery } from './schemas.js';

const DEFAULT_LIMIT = 20;

export const hppSandboxRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store }) => {
  app.get(
    '/hpp/messages',
    {
      schema: {
        tags: ['Sandbox'],
        operationId: 'listHppMessages',
        summary: 'The payment links recorded by HPP distribution (nothing is sent), newest first',
        querystring: HppMessagesQuery,
        response: { 200: { ...HppMessageList, description: 'The messages' } },
      },
    },
    async (request, reply) => {
      const { session_id, limit } = request.query;
      const rows = await listDistributions(store, request.merchantId, { sessionId: session_id, limit: limit === undefined ? DEFAULT_LIMIT : Number(limit) });
      return sendJson(reply, JSON.stringify({ messages: rows.map(messageJson) }));
    },
  );
};
