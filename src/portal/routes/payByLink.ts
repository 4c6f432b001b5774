// GET /portal/pay-by-link (sandbox mode): the Hosted Payment Page sessions, their status_update
// deliveries and the outbox, read through the same store functions as the HPP API.
import type { FastifyPluginAsync } from 'fastify';
import { sendPage } from '../../html.js';
import { listDistributions, listHppDeliveries, listHppSessions } from '../../store/hppSessions.js';
import { signedIn, type PortalOptions } from '../respond.js';
import { payByLinkPage } from '../views/payByLink.js';

const SHOWN = 20;

export const payByLinkRoutes: FastifyPluginAsync<PortalOptions> = async (app, options) => {
  app.get('/pay-by-link', async (request, reply) => {
    const viewer = signedIn(request, options);
    const [sessions, deliveries, messages] = await Promise.all([
      listHppSessions(options.store, viewer.merchantId, SHOWN),
      listHppDeliveries(options.store, viewer.merchantId, SHOWN),
      listDistributions(options.store, viewer.merchantId, { limit: SHOWN }),
    ]);
    return sendPage(reply, 200, payByLinkPage({ viewer, sections: options.sections, sessions, deliveries, messages }));
  });
};
