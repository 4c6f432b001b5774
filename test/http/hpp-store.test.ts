// The Hosted Payment Page's store on both backends: migration 010's CHECKs (the database's half of
// the pairs in src/domain/hpp.ts) refuse what the code never writes, and a shopper's Approve racing
// the merchant's disable ends one way only: COMPLETED with its order, or DISABLED with none.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import type { HppSessionsTable } from '../../src/store/schema.js';
import { createCheckout } from '../support/checkout.js';
import { call, createMerchant, describeOnBothStores } from '../support/harness.js';

const NOW = '2030-01-01T00:00:00Z';

describeOnBothStores('Hosted Payment Page store', (ctx) => {
  it("migration 010's checks refuse an unknown status, source or mode, and a COMPLETED session with neither order nor token", async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const row = (overrides: Partial<HppSessionsTable>): HppSessionsTable => ({
      session_id: randomUUID(),
      merchant_id: m.merchant_id,
      source_kind: 'checkout_order',
      source_id: randomUUID(),
      status: 'WAITING',
      place_order_mode: 'PLACE_ORDER',
      merchant_urls: '{}',
      options: '{}',
      order_id: null,
      authorization_token: null,
      klarna_reference: null,
      expires_at: NOW,
      created_at: NOW,
      updated_at: NOW,
      ...overrides,
    });
    await t.store.db.insertInto('hpp_sessions').values(row({})).execute();
    await t.store.db.insertInto('hpp_sessions').values(row({ status: 'COMPLETED', order_id: randomUUID() })).execute();
    const refused = (what: string, overrides: Partial<HppSessionsTable>) => assert.rejects(t.store.db.insertInto('hpp_sessions').values(row(overrides)).execute(), /check/i, what);
    await refused('an unknown status', { status: 'PAID' as 'COMPLETED' });
    await refused('an unknown source', { source_kind: 'invoice' as 'checkout_order' });
    await refused('an unknown mode', { place_order_mode: 'LATER' as 'NONE' });
    await refused('COMPLETED without an order or token', { status: 'COMPLETED' });
  });

  it('Approve racing DELETE: either COMPLETED with the order, or DISABLED and no order, never both', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    for (let i = 0; i < 6; i++) {
      const checkout = await createCheckout(t, m);
      const created = await call(t, { method: 'POST', url: '/hpp/v1/sessions', auth: m, body: { payment_session_url: `http://localhost/checkout/v3/orders/${checkout.order_id}` } });
      const { session_id } = created.json() as { session_id: string };
      await t.app.inject({ method: 'GET', url: `/sandbox/hpp/${session_id}` });
      const [, disabled] = await Promise.all([
        t.app.inject({ method: 'POST', url: `/sandbox/hpp/${session_id}/pay`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'outcome=accepted' }),
        call(t, { method: 'DELETE', url: `/hpp/v1/sessions/${session_id}`, auth: m }),
      ]);
      const session = (await call(t, { method: 'GET', url: `/hpp/v1/sessions/${session_id}`, auth: m })).json() as { status: string; order_id?: string };
      const order = await call(t, { method: 'GET', url: `/ordermanagement/v1/orders/${checkout.order_id}`, auth: m });
      if (session.status === 'COMPLETED') {
        assert.equal(order.statusCode, 200);
        assert.equal(session.order_id, checkout.order_id);
        assert.equal(disabled.statusCode, 400, 'the disable came second and was refused');
      } else {
        assert.equal(session.status, 'DISABLED');
        assert.equal(order.statusCode, 404, 'a disabled session bought nothing');
        assert.equal(disabled.statusCode, 204);
      }
    }
  });
});
