// The portal's customer tokens (CONTRACT §12 with §10): the Tokens page lists only the merchant's
// own tokens with their status and the orders they paid; the order page names the token its
// checkout made, or that paid for it.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createMerchant, describeOnBothStores } from '../support/harness.js';
import { portalLogin } from '../support/portal.js';
import { orderWithToken, recurringPurchase, setSandboxStatus } from '../tokens/support.js';

describeOnBothStores('portal customer tokens', (ctx) => {
  it("the Tokens page lists the merchant's own tokens, newest first, with status, description and orders paid", async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const other = await createMerchant(t, 'Other AB');
    const older = await recurringPurchase(t, m, { recurring_description: 'Seeds, yearly' });
    const newer = await recurringPurchase(t, m);
    const foreign = await recurringPurchase(t, other);
    assert.equal((await orderWithToken(t, m, newer.token)).statusCode, 200);
    assert.equal((await orderWithToken(t, m, newer.token)).statusCode, 200);
    assert.equal((await setSandboxStatus(t, m, older.token, 'SUSPENDED')).statusCode, 204);
    const client = await portalLogin(t, m);
    const res = await client.get('/portal/tokens');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<a href="\/portal\/tokens" aria-current="page">Tokens<\/a>/);
    const rows = res.body.split('<tr>').slice(2);
    assert.equal(rows.length, 2);
    assert.ok(rows[0]!.includes(newer.token) && rows[1]!.includes(older.token), 'newest first');
    assert.match(rows[0]!, /Active[\s\S]*Tomato box, monthly[\s\S]*<td class="num">2<\/td>/);
    assert.match(rows[1]!, /Suspended[\s\S]*orders are refused[\s\S]*Seeds, yearly[\s\S]*<td class="num">0<\/td>/);
    assert.ok(!res.body.includes(foreign.token), "another merchant's token is not shown");
  });

  it('the order page names the token its checkout made, and the token that paid a renewal', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const { orderId, token } = await recurringPurchase(t, m);
    const renewal = (await orderWithToken(t, m, token)).json() as { order_id: string };
    const client = await portalLogin(t, m);
    const made = await client.get(`/portal/orders/${orderId}`);
    assert.match(made.body, new RegExp(`<dt>Customer token</dt><dd><span class="mono">${token}</span>[\\s\\S]*made by this checkout`));
    const paid = await client.get(`/portal/orders/${renewal.order_id}`);
    assert.match(paid.body, new RegExp(`<dt>Customer token</dt><dd><span class="mono">${token}</span>[\\s\\S]*paid this order`));
  });

  it('a merchant without tokens sees how to get one', async () => {
    const t = ctx();
    const client = await portalLogin(t, await createMerchant(t));
    const res = await client.get('/portal/tokens');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /No customer tokens yet/);
  });
});
