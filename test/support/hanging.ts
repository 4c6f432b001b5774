// A merchant server that never answers: it reads each request and keeps the connection open, so
// every call OpenOM makes to it runs into its 10 s timeout. For fairness tests and bench/fairness.ts.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { MAX_WEBHOOKS_PER_MERCHANT } from '../../src/domain/webhookEvents.js';
import type { MerchantCredentials, TestApp } from './harness.js';
import { registerWebhook } from './webhooks.js';

export interface HangingServer {
  /** http://127.0.0.1:<port>/hang/<i>: as many distinct endpoint URLs as a test registers. */
  urls(count: number): string[];
  /** Requests received so far (none is ever answered). */
  received(): number;
  close(): Promise<void>;
}

export async function startHangingServer(): Promise<HangingServer> {
  let received = 0;
  const server = createServer((req) => {
    req.on('data', () => undefined);
    req.on('end', () => received++);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    urls: (count) => Array.from({ length: count }, (_, i) => `${origin}/hang/${i}`),
    received: () => received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Endpoints for order.created at these URLs: up to the limit through the API, the rest written to
 * the store directly, as a merchant that registered them before the limit existed still has them.
 */
export async function addEndpoints(t: TestApp, m: MerchantCredentials, urls: string[]): Promise<void> {
  for (const url of urls.slice(0, MAX_WEBHOOKS_PER_MERCHANT)) await registerWebhook(t, m, url, ['order.created']);
  for (const url of urls.slice(MAX_WEBHOOKS_PER_MERCHANT)) {
    await t.store.db
      .insertInto('webhooks')
      .values({ webhook_id: randomUUID(), merchant_id: m.merchant_id, url, events: '["order.created"]', signing_secret: 'whsec_old', created_at: new Date().toISOString() })
      .execute();
  }
}
