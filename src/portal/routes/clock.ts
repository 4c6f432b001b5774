// POST /portal/clock/advance (sandbox mode): moves the merchant's clock as POST /sandbox/v1/clock/advance does.
import type { FastifyPluginAsync } from 'fastify';
import { MAX_ADVANCE_SECONDS, advanceClock } from '../../store/clock.js';
import { formField, safeReturn, sendMessage, signedIn, type PortalOptions } from '../respond.js';

const UNIT_SECONDS: Record<string, number> = { seconds: 1, hours: 3_600, days: 86_400 };

export const clockRoutes: FastifyPluginAsync<PortalOptions> = async (app, options) => {
  app.post('/clock/advance', async (request, reply) => {
    const viewer = signedIn(request, options);
    const amount = (formField(request, 'amount') ?? '').trim();
    const unit = UNIT_SECONDS[formField(request, 'unit') ?? ''];
    const seconds = /^\d{1,9}$/.test(amount) && unit !== undefined ? Number(amount) * unit : 0;
    if (seconds < 1 || seconds > MAX_ADVANCE_SECONDS) {
      return sendMessage(request, reply, options, 400, 'Bad request', 'Advance the clock by a whole number of seconds, hours or days, at least 1 second and at most 365 days at a time.');
    }
    await advanceClock(options.store, viewer.merchantId, seconds);
    return reply.redirect(safeReturn(formField(request, 'return_to')), 303);
  });
};
