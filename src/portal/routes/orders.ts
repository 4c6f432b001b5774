// GET /portal/orders: the list, read with the merchant's now (its clock decides EXPIRED).
import type { FastifyPluginAsync } from 'fastify';
import { LISTED_STATUSES, NOT_ACKNOWLEDGED, listOrders, type OrderCursor, type OrderListFilter } from '../../store/orderList.js';
import { sendPage } from '../../html.js';
import { queryField, sendMessage, signedIn, type PortalOptions } from '../respond.js';
import { orderListPage } from '../views/orderList.js';

const PAGE_SIZE = 20;
const FILTERS: readonly string[] = [...LISTED_STATUSES, NOT_ACKNOWLEDGED];
const CURSOR = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

function parseCursor(text: string | undefined): OrderCursor | undefined | 'bad' {
  if (text === undefined || text === '') return undefined;
  const match = CURSOR.exec(text);
  return match?.[1] && match[2] ? { created_at: match[1], order_id: match[2] } : 'bad';
}

export const orderListRoutes: FastifyPluginAsync<PortalOptions> = async (app, options) => {
  app.get('/orders', async (request, reply) => {
    const viewer = signedIn(request, options);
    const status = queryField(request, 'status') ?? '';
    const search = (queryField(request, 'q') ?? '').trim();
    const after = parseCursor(queryField(request, 'after'));
    const before = parseCursor(queryField(request, 'before'));
    const bad = (message: string) => sendMessage(request, reply, options, 400, 'Bad request', message);
    if (status !== '' && !FILTERS.includes(status)) return bad(`There is no status "${status.slice(0, 40)}" to show.`);
    if (search.length > 255) return bad('A search is at most 255 characters long.');
    if (after === 'bad' || before === 'bad') return bad('That page of the list does not exist; start again from the first page.');
    const filter = status === '' ? undefined : (status as OrderListFilter);
    const list = await listOrders(options.store, {
      merchantId: viewer.merchantId,
      now: viewer.now,
      filter,
      search,
      page: after ? { direction: 'older', cursor: after } : before ? { direction: 'newer', cursor: before } : undefined,
      pageSize: PAGE_SIZE,
    });
    return sendPage(reply, 200, orderListPage({ viewer, sections: options.sections, list, filter, search }));
  });
};
