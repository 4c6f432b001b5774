// Portal test client: logs in through the login form as a browser would and keeps the cookie,
// the CSRF token, and the idempotency key of the last confirmation page.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { sha256 } from '../../src/secrets.js';
import { newOrderRow } from '../../src/store/orders.js';
import type { OrdersTable } from '../../src/store/schema.js';
import type { Store } from '../../src/store/dialect.js';
import type { MerchantCredentials, TestApp } from './harness.js';

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
  /** Opens the action's confirmation page and confirms it, as a person clicking through would. */
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
    act: async (orderId, action, amount) => {
      const query = amount === undefined ? '' : `?amount=${encodeURIComponent(amount)}`;
      const confirm = await client.get(`/portal/orders/${orderId}/${action}${query}`);
      assert.equal(confirm.statusCode, 200, confirm.body);
      const fields: Record<string, string> = { idempotency_key: fieldValue(confirm.body, 'idempotency_key') ?? '' };
      const confirmed = fieldValue(confirm.body, 'amount');
      if (confirmed !== undefined) fields.amount = confirmed;
      return client.post(`/portal/orders/${orderId}/${action}`, fields);
    },
  };
  return client;
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
