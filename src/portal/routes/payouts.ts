// /portal/payouts: the Payouts page (CONTRACT §11): the list, one payout with its transactions
// page by page, and its CSV report, through the store reads and the rendering the Settlements API
// uses, so the page, the API and the CSV show the same amounts.
import type { FastifyPluginAsync } from 'fastify';
import { findPayout, listPayouts, listTransactions, transactionsOfPayouts } from '../../store/settlementReads.js';
import { sendPage } from '../../html.js';
import { transactionJson, transactionsCsv } from '../../settlements/render.js';
import { notFoundPage, queryField, signedIn, type PortalOptions } from '../respond.js';
import { payoutListPage, payoutPage } from '../views/payouts.js';

const PAGE_SIZE = 50;

/** The offset query parameter; anything but a plain number is the first page. */
function offsetOf(text: string | undefined): number {
  return text !== undefined && /^[0-9]{1,9}$/.test(text) ? Number(text) : 0;
}

export const payoutRoutes: FastifyPluginAsync<PortalOptions> = async (app, options) => {
  const { store } = options;

  app.get('/payouts', async (request, reply) => {
    const viewer = signedIn(request, options);
    const offset = offsetOf(queryField(request, 'offset'));
    const { payouts, total } = await listPayouts(store, viewer.merchantId, {}, { size: PAGE_SIZE, offset });
    return sendPage(reply, 200, payoutListPage({ viewer: { ...viewer, path: request.url }, sections: options.sections, payouts, offset, size: PAGE_SIZE, total }));
  });

  app.get<{ Params: { payment_reference: string } }>('/payouts/:payment_reference', async (request, reply) => {
    const viewer = signedIn(request, options);
    const payout = await findPayout(store, viewer.merchantId, request.params.payment_reference);
    if (!payout) return notFoundPage(request, reply, options);
    const offset = offsetOf(queryField(request, 'offset'));
    const { transactions, total } = await listTransactions(store, viewer.merchantId, { payment_reference: payout.payment_reference }, { size: PAGE_SIZE, offset });
    return sendPage(reply, 200, payoutPage({ viewer: { ...viewer, path: request.url }, sections: options.sections, payout, transactions, offset, size: PAGE_SIZE, total }));
  });

  app.get<{ Params: { payment_reference: string } }>('/payouts/:payment_reference/csv', async (request, reply) => {
    const viewer = signedIn(request, options);
    const payout = await findPayout(store, viewer.merchantId, request.params.payment_reference);
    if (!payout) return notFoundPage(request, reply, options);
    const profile = options.config.profile;
    const rows = await transactionsOfPayouts(store, viewer.merchantId, [payout.payment_reference]);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="payout-${payout.payment_reference}.csv"`)
      .send(transactionsCsv(rows.map((t) => transactionJson(t, profile)), profile));
  });
};
