// The status filter is statusOf (src/domain/order.ts) written as SQL: for every combination of
// amounts, flags and expiry around "now" (including the same second), both agree on both stores.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { statusOf } from '../../src/domain/order.js';
import { toKlarnaTimestamp } from '../../src/domain/time.js';
import { LISTED_STATUSES, listOrders } from '../../src/store/orderList.js';
import { orderStateOf } from '../../src/store/orders.js';
import type { OrdersTable } from '../../src/store/schema.js';
import { createMerchant, describeOnBothStores } from '../support/harness.js';
import { insertOrderRow } from '../support/portal.js';

// Half a second into a second: expires_at values are whole seconds, so this tests the truncation.
const NOW = new Date('2031-06-15T12:00:00.500Z');
const EXPIRY_OFFSETS_S = [-86_400, -1, 0, 1, 86_400];

describeOnBothStores('portal order list: status filter', (ctx) => {
  it('filtering by each status returns exactly the orders statusOf gives that status', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const rows: OrdersTable[] = [];
    for (const cancelled of [0, 1]) {
      for (const captured of [0, 4_000, 10_000]) {
        if (cancelled && captured) continue;
        for (const released of [0, 1]) {
          for (const offset of EXPIRY_OFFSETS_S) {
            const expiresAt = toKlarnaTimestamp(new Date(Math.floor(NOW.getTime() / 1000) * 1000 + offset * 1000));
            rows.push(
              await insertOrderRow(t.store, merchant.merchant_id, {
                cancelled,
                released,
                captured_amount: captured,
                expires_at: expiresAt,
                initial_expires_at: expiresAt,
              }),
            );
          }
        }
      }
    }
    const seen = new Set<string>();
    for (const status of LISTED_STATUSES) {
      const page = await listOrders(t.store, { merchantId: merchant.merchant_id, now: NOW, filter: status, pageSize: 1000 });
      const expected = rows.filter((r) => statusOf(orderStateOf(r), NOW) === status).map((r) => r.order_id).sort();
      assert.deepEqual(page.rows.map((r) => r.order_id).sort(), expected, status);
      for (const r of page.rows) {
        assert.ok(!seen.has(r.order_id), `${r.order_id} matched two statuses`);
        seen.add(r.order_id);
      }
    }
    assert.equal(seen.size, rows.length, 'every order has one of the listed statuses');
  });
});
