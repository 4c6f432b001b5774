// The few OpenOM HTTP calls seeding needs: admin intake, merchant lookup, captures.
type Json = Record<string, unknown>;

export const ORDERS = '/ordermanagement/v1/orders';

export interface Credentials {
  adminToken: string;
  username: string;
  password: string;
}

export const basicAuth = (c: Credentials) => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

async function call(url: string, method: string, path: string, auth: string, body?: unknown): Promise<{ status: number; json: Json; headers: Headers }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {}, headers: res.headers };
}

/**
 * The bench's merchant: OpenOM runs in production mode, which creates no merchant at start
 * (CONTRACT §3), so the first call creates one with the admin API and `c` adopts the username and
 * password the API chose; later calls (another instance on the same store) find it by that name.
 */
export async function benchMerchantId(url: string, c: Credentials): Promise<string> {
  const admin = `Bearer ${c.adminToken}`;
  const listed = await call(url, 'GET', '/admin/v1/merchants', admin);
  const merchants = (listed.json.merchants ?? []) as { merchant_id: string; username: string }[];
  const found = merchants.find((m) => m.username === c.username);
  if (found) return found.merchant_id;
  const created = await call(url, 'POST', '/admin/v1/merchants', admin, { name: 'OpenOM bench' });
  if (created.status !== 201) throw new Error(`creating the bench merchant: ${created.status} ${JSON.stringify(created.json)}`);
  c.username = String(created.json.username);
  c.password = String(created.json.password);
  return String(created.json.merchant_id);
}

export function line(i: number, unitPrice: number): Json {
  return { type: 'physical', reference: `SKU-${i}`, name: `Article number ${i}`, quantity: 1, unit_price: unitPrice, tax_rate: 0, total_amount: unitPrice, total_tax_amount: 0 };
}

const ADDRESS = { given_name: 'John', family_name: 'Testsson', street_address: 'Testgatan 10', postal_code: '12345', city: 'Vetlanda', country: 'SE', email: 'john@example.com' };

/** The order the throughput workloads use: the two-line order of the test harness, with addresses. */
export function standardOrder(amount = 10_000): Json {
  return {
    purchase_country: 'SE',
    purchase_currency: 'SEK',
    locale: 'sv-SE',
    order_amount: amount,
    order_tax_amount: 0,
    order_lines: [
      { type: 'physical', reference: 'SKU-1', name: 'Tomatoes', quantity: 1, unit_price: amount - 1000, tax_rate: 0, total_amount: amount - 1000, total_tax_amount: 0 },
      { type: 'shipping_fee', reference: 'SHIP', name: 'Shipping', quantity: 1, unit_price: 1000, tax_rate: 0, total_amount: 1000, total_tax_amount: 0 },
    ],
    billing_address: ADDRESS,
    shipping_address: ADDRESS,
  };
}

/** An order with n one-unit-priced lines (n = 1 gives the small filler order, no addresses). */
export function orderWithLines(n: number, unitPrice = 100): Json {
  return {
    purchase_country: 'SE',
    purchase_currency: 'SEK',
    order_amount: n * unitPrice,
    order_lines: Array.from({ length: n }, (_, i) => line(i + 1, unitPrice)),
  };
}

export async function createOrder(url: string, c: Credentials, merchantId: string, body: Json): Promise<string> {
  const res = await call(url, 'POST', `/admin/v1/merchants/${merchantId}/orders`, `Bearer ${c.adminToken}`, body);
  if (res.status !== 201) throw new Error(`create order: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.order_id as string;
}

/** The capture every capture workload sends (the load generator and the own-SQL anchors' recording). */
export function benchCapture(amount = 10_000): Json {
  return { captured_amount: amount, description: 'bench capture' };
}

/** Captures through the API; returns the new capture's id. */
export async function captureOrder(url: string, c: Credentials, orderId: string, body: Json): Promise<string> {
  const res = await call(url, 'POST', `${ORDERS}/${orderId}/captures`, basicAuth(c), body);
  if (res.status !== 201) throw new Error(`capture ${orderId}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.headers.get('capture-id') ?? '';
}

export async function getOrderStatus(url: string, c: Credentials, orderId: string): Promise<{ status: number; bytes: number }> {
  const res = await fetch(`${url}${ORDERS}/${orderId}`, { headers: { authorization: basicAuth(c) } });
  return { status: res.status, bytes: (await res.arrayBuffer()).byteLength };
}

/** Runs fn(i) for i in [0, count) with at most `width` calls in flight. */
export async function inParallel(count: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}
