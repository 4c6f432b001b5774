// A portal confirmation acts at most once (CONTRACT §10), over HTTP on both stores: it is bound to
// the order's version as shown, checked in the command's transaction with the order locked. A
// stale one is refused (409, the order shown again) and changes nothing; two sent at once for the
// same version act once; the same one sent twice replays its first answer.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { capture, describeOnBothStores, getOrder, type Json, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { fieldValue, merchantWithOrder } from '../support/portal.js';

const countOf = async (t: TestApp, table: 'order_events' | 'captures' | 'refunds' | 'idempotency_keys', orderId?: string) => {
  let query = t.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
  if (orderId && table !== 'idempotency_keys') query = query.where('order_id', '=', orderId);
  return Number((await query.executeTakeFirstOrThrow()).n);
};

const amountsOf = async (t: TestApp, merchant: MerchantCredentials, orderId: string) => {
  const order = await getOrder(t, merchant, orderId);
  return {
    captures: (order.captures as Json[]).map((c) => c.captured_amount),
    refunds: (order.refunds as Json[]).map((r) => r.refunded_amount),
  };
};

describeOnBothStores('portal confirmations are bound to the order as it was shown', (ctx) => {
  it('the order page and its action forms carry the order version, which every change moves', async () => {
    const t = ctx();
    const { merchant, order, client } = await merchantWithOrder(t);
    const first = await client.versionOf(order.order_id);
    const page = (await client.get(`/portal/orders/${order.order_id}`)).body;
    assert.equal([...page.matchAll(/<input type="hidden" name="version" value="(\d+)">/g)].filter((m) => m[1] === first).length, 5);
    await capture(t, merchant, order.order_id, { captured_amount: 100 });
    const second = await client.versionOf(order.order_id);
    assert.notEqual(second, first);
    const confirm = await client.confirmation(order.order_id, 'capture', '1');
    assert.equal(fieldValue(confirm.body, 'version'), second);
  });

  it('a confirmation sent after the order changed is refused with 409 and the order shown again; nothing changes, and sending it again is refused the same way', async () => {
    const t = ctx();
    const { merchant, order, client } = await merchantWithOrder(t);
    for (const [action, amount] of [
      ['capture', '10'],
      ['extend', undefined],
    ] as const) {
      const confirm = await client.confirmation(order.order_id, action, amount);
      assert.equal(confirm.statusCode, 200);
      // Meanwhile someone else (the API, another tab) changes the order.
      assert.equal((await capture(t, merchant, order.order_id, { captured_amount: 100 })).statusCode, 201);
      const events = await countOf(t, 'order_events', order.order_id);
      for (const attempt of ['first', 'again']) {
        const stale = await client.post(`/portal/orders/${order.order_id}/${action}`, client.confirmFields(confirm.body));
        assert.equal(stale.statusCode, 409, `${action} ${attempt}`);
        assert.match(stale.body, /role="alert"><strong>The order changed<\/strong> after that confirmation was shown, so nothing was done\./);
        // The order as it is now, with its actions bound to the new version.
        assert.equal(fieldValue(stale.body, 'version'), await client.versionOf(order.order_id));
        assert.equal(await countOf(t, 'order_events', order.order_id), events, `${action} ${attempt}`);
      }
    }
    assert.deepEqual(await amountsOf(t, merchant, order.order_id), { captures: [100, 100], refunds: [] });
    assert.equal((await getOrder(t, merchant, order.order_id)).status, 'PART_CAPTURED');
  });

  it('a confirmation page asked for with a version the order has left says the order changed (409) and offers no Confirm', async () => {
    const t = ctx();
    const { merchant, order, client } = await merchantWithOrder(t, 6_000);
    const shown = await client.versionOf(order.order_id);
    await capture(t, merchant, order.order_id, { captured_amount: 6_000 });
    for (const [action, amount] of [
      ['refund', '12,50'],
      ['capture', '1'],
    ] as const) {
      const res = await client.confirmation(order.order_id, action, amount, shown);
      assert.equal(res.statusCode, 409, action);
      assert.match(res.body, /The order changed<\/strong>/, action);
      assert.doesNotMatch(res.body, />Confirm<\/button>/, action);
    }
  });

  it('the same confirmation sent twice, one after the other, replays its first answer: done, not "changed"', async () => {
    const t = ctx();
    const { merchant, order, client } = await merchantWithOrder(t, 6_000);
    await capture(t, merchant, order.order_id, { captured_amount: 6_000 });
    const confirm = await client.confirmation(order.order_id, 'refund', '12,50');
    const fields = client.confirmFields(confirm.body);
    for (const attempt of ['first', 'again']) {
      const res = await client.post(`/portal/orders/${order.order_id}/refund`, fields);
      assert.equal(res.statusCode, 303, attempt);
      assert.equal(res.headers.location, `/portal/orders/${order.order_id}?done=refund`);
    }
    assert.deepEqual(await amountsOf(t, merchant, order.order_id), { captures: [6_000], refunds: [1_250] });
  });

  it('confirmations of the same version sent at once act once: one is done, the others are told the order changed', async () => {
    const t = ctx();
    const { merchant, order, client } = await merchantWithOrder(t, 100_000);
    const rounds = 6;
    for (let round = 0; round < rounds; round++) {
      // Three tabs, each with its own confirmation page (its own idempotency key) for the same version.
      const pages = await Promise.all([1, 2, 3].map(() => client.confirmation(order.order_id, 'capture', '10')));
      const versions = new Set(pages.map((p) => fieldValue(p.body, 'version')));
      assert.equal(versions.size, 1);
      const answers = await Promise.all(pages.map((p) => client.post(`/portal/orders/${order.order_id}/capture`, client.confirmFields(p.body))));
      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [303, 409, 409], `round ${round}`);
    }
    const captures = await amountsOf(t, merchant, order.order_id);
    assert.deepEqual(captures.captures, Array<number>(rounds).fill(1_000));
    assert.equal(await countOf(t, 'captures', order.order_id), rounds);
  });

  it('different actions confirmed at once for the same version: only one of them happens', async () => {
    const t = ctx();
    const { order, client } = await merchantWithOrder(t);
    const version = await client.versionOf(order.order_id);
    const pages = await Promise.all([
      client.confirmation(order.order_id, 'capture', '100', version),
      client.confirmation(order.order_id, 'cancel', undefined, version),
      client.confirmation(order.order_id, 'extend', undefined, version),
    ]);
    const answers = await Promise.all(
      (['capture', 'cancel', 'extend'] as const).map((action, i) => client.post(`/portal/orders/${order.order_id}/${action}`, client.confirmFields(pages[i]!.body))),
    );
    assert.deepEqual(answers.map((a) => a.statusCode).filter((s) => s === 303).length, 1);
    assert.deepEqual(answers.map((a) => a.statusCode).filter((s) => s === 409).length, 2);
    assert.equal(await countOf(t, 'order_events', order.order_id), 2);
  });

  it('a form without the version, or with one that is not a version, is refused (400) and changes nothing; a link without one opens the order page', async () => {
    const t = ctx();
    const { merchant, order, client } = await merchantWithOrder(t);
    const confirm = await client.confirmation(order.order_id, 'capture', '10');
    const fields = client.confirmFields(confirm.body);
    const keys = await countOf(t, 'idempotency_keys');
    for (const version of [undefined, '', 'x', '-1', '1.5', '9'.repeat(16)]) {
      const { version: _, ...rest } = fields;
      const res = await client.post(`/portal/orders/${order.order_id}/capture`, version === undefined ? rest : { ...rest, version });
      assert.equal(res.statusCode, 400, String(version));
      assert.match(res.body, /The form is incomplete/);
    }
    assert.equal(await countOf(t, 'idempotency_keys'), keys);
    assert.equal((await getOrder(t, merchant, order.order_id)).captured_amount, 0);
    for (const query of ['?amount=10', '?amount=10&version=x', '']) {
      const link = await client.get(`/portal/orders/${order.order_id}/capture${query}`);
      assert.equal(link.statusCode, 303, query);
      assert.equal(link.headers.location, `/portal/orders/${order.order_id}`);
    }
  });
});
