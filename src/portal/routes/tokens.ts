// GET /portal/tokens: the merchant's customer tokens (the newest 100; the API reads any one).
import type { FastifyPluginAsync } from 'fastify';
import { sendPage } from '../../html.js';
import { listTokens } from '../../store/customerTokens.js';
import { signedIn, type PortalOptions } from '../respond.js';
import { tokenListPage } from '../views/tokens.js';

export const tokenListRoutes: FastifyPluginAsync<PortalOptions> = async (app, options) => {
  app.get('/tokens', async (request, reply) => {
    const viewer = signedIn(request, options);
    const tokens = await listTokens(options.store, viewer.merchantId);
    return sendPage(reply, 200, tokenListPage({ viewer, sections: options.sections, tokens }));
  });
};
