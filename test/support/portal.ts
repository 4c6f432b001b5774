// Portal test client: logs in through the login form as a browser would and keeps the cookie,
// the CSRF token, and the idempotency key of the last confirmation page.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { sha256 } from '../../src/secrets.js';
import { newOrderRow } from '../../src/store/orders.js';
import type { OrdersTable } from '../../src/store/schema.js';
import type { Store } from '../../src/store/dialect.js';
import { createMerchant, createOrder, type Json, type MerchantCredentials, type TestApp } from './harness.js';

export const FORM = 'application/x-www-form-urlencoded';

export function fieldValue(body: string, name: string): string | undefined {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1];
}

export function cookieFrom(res: LightMyRequestResponse, name: string): string | undefined {
  const header = res.headers['set-cookie'];
  const all = Array.isArray(header) ? header : header ? [header] : [];
  const line = all.find((c) => c.startsWith(`${name}=`));
  return line?.split(';')[0]?.slice(name.length + 1);
}

/** The login form's token and cookie, as GET /portal/login hands them out. */
export async function loginForm(t: TestApp, remoteAddress?: string): Promise<{ token: string; cookie: string }> {
  const res = await t.app.inject({ method: 'GET', url: '/portal/login', remoteAddress });
  assert.equal(res.statusCode, 200);
  const token = fieldValue(res.body, 'login_token');
  const cookie = cookieFrom(res, 'openom_portal_login');
  assert.ok(token && cookie);
  return { token, cookie: `openom_portal_login=${cookie}` };
}

export async function postLogin(t: TestApp, username: string, password: string, remoteAddress?: string): Promise<LightMyRequestResponse> {
  const form = await loginForm(t, remoteAddress);
  return t.app.inject({
    method: 'POST',
    url: '/portal/login',
    remoteAddress,
    headers: { cookie: form.cookie, 'content-type': FORM, origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' },
    payload: new URLSearchParams({ login_token: form.token, username, password }).toString(),
  });
}

export interface PortalClient {
  cookie: string;
  token: string;
  csrf: string;
  get(url: string): Promise<LightMyRequestResponse>;
  /** Posts the form with the CSRF token; a list is sent as a repeated field (checkboxes). */
  post(url: string, fields: Record<string, string | string[]>, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** The version of the order its page shows, which the page's action forms carry. */
  versionOf(orderId: string): Promise<string>;
  /** Opens the action's confirmation page as the order page's form does: the amount as typed, the version shown (or the given one). */
  confirmation(orderId: string, action: string, amount?: string, version?: string): Promise<LightMyRequestResponse>;
  /** The fields a confirmation page's form sends (besides the CSRF token). */
  confirmFields(confirmationBody: string): Record<string, string>;
  /** Opens the action's confirmation page and confirms it, as a person clicking through would; a refusal before the confirmation is answered as it is. */
  act(orderId: string, action: string, amount?: string): Promise<LightMyRequestResponse>;
}

export async function portalLogin(t: TestApp, merchant: MerchantCredentials): Promise<PortalClient> {
  const res = await postLogin(t, merchant.username, merchant.password);
  assert.equal(res.statusCode, 303, res.body);
  const token = cookieFrom(res, 'openom_portal');
  assert.ok(token);
  const cookie = `openom_portal=${token}`;
  const orders = await t.app.inject({ method: 'GET', url: '/portal/orders', headers: { cookie } });
  const csrf = fieldValue(orders.body, 'csrf_token');
  assert.ok(csrf);
  const client: PortalClient = {
    cookie,
    token,
    csrf,
    get: (url) => t.app.inject({ method: 'GET', url, headers: { cookie } }),
    post: (url, fields, headers = {}) => {
      const form = new URLSearchParams();
      for (const [name, value] of Object.entries({ csrf_token: csrf, ...fields })) for (const v of [value].flat()) form.append(name, v);
      return t.app.inject({ method: 'POST', url, headers: { cookie, 'content-type': FORM, ...headers }, payload: form.toString() });
    },
    versionOf: async (orderId) => {
      const version = fieldValue((await client.get(`/portal/orders/${orderId}`)).body, 'version');
      assert.ok(version, 'the order page carries the order version');
      return version;
    },
    confirmation: async (orderId, action, amount, version) => {
      const query = new URLSearchParams({ version: version ?? (await client.versionOf(orderId)) });
      if (amount !== undefined) query.set('amount', amount);
      return client.get(`/portal/orders/${orderId}/${action}?${query.toString()}`);
    },
    confirmFields: (body) => {
      const fields: Record<string, string> = {};
      for (const name of ['idempotency_key', 'version', 'minor_amount']) {
        const value = fieldValue(body, name);
        if (value !== undefined) fields[name] = value;
      }
      return fields;
    },
    act: async (orderId, action, amount) => {
      const confirm = await client.confirmation(orderId, action, amount);
      if (confirm.statusCode !== 200) return confirm;
      return client.post(`/portal/orders/${orderId}/${action}`, client.confirmFields(confirm.body));
    },
  };
  return client;
}

/** A merchant with one new order (createOrder's, or `amount` minor units) and a portal session. */
export async function merchantWithOrder(t: TestApp, amount?: number): Promise<{ merchant: MerchantCredentials; order: Json & { order_id: string }; client: PortalClient }> {
  const merchant = await createMerchant(t);
  const order = await createOrder(t, merchant, {}, amount);
  return { merchant, order, client: await portalLogin(t, merchant) };
}

export const sessionHashOf = (token: string) => sha256(token).toString('hex');

/** Inserts an order row directly (as intake would write it), with overrides. */
export async function insertOrderRow(store: Store, merchantId: string, overrides: Partial<OrdersTable> = {}): Promise<OrdersTable> {
  const row = {
    ...newOrderRow(
      merchantId,
      {
        purchase_country: 'SE',
        purchase_currency: 'SEK',
        locale: 'sv-SE',
        order_amount: 10_000,
        order_lines: [{ type: 'physical', reference: 'SKU-1', name: 'Tomatoes', quantity: 1, unit_price: 10_000, tax_rate: 0, total_amount: 10_000, total_tax_amount: 0 }],
      },
      { now: new Date() },
    ),
    ...overrides,
  };
  await store.db.insertInto('orders').values(row).execute();
  return row;
}
