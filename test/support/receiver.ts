// A merchant's server for tests of the calls OpenOM makes (webhooks, notifications): a real HTTP
// listener on 127.0.0.1 that records every request and answers as the test says, plus an
// independent check of the OpenOM-Signature header.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Real epoch ms when the request had fully arrived. */
  at: number;
  /** Real epoch ms when the answer was sent. */
  answeredAt?: number;
}

/** How to answer one request: a status, optionally after a delay, with headers and a body. */
export type Answer = number | { status: number; delayMs?: number; headers?: Record<string, string>; body?: string };

export interface Receiver {
  /** http://127.0.0.1:<port>/hooks */
  url: string;
  /** http://127.0.0.1:<port>, for a merchant's several URLs. */
  origin: string;
  received: Received[];
  /** Decides the answer of each request; default 200. */
  answer: (req: Received) => Answer;
  /** Resolves with the requests received so far once `until` holds for them; fails after timeoutMs. */
  waitFor(until: (received: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(answer: (req: Received) => Answer = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const receiver: Receiver = {
    url: '',
    origin: '',
    received,
    answer,
    waitFor: (until, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!until(received)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve([...received]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver: condition not met within ${timeoutMs} ms; received ${received.length}: ${received.map((r) => r.body).join('\n')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(r);
      for (const w of [...waiters]) w();
      const a = receiver.answer(r);
      const { status, delayMs = 0, headers = {}, body = 'ok' } = typeof a === 'number' ? { status: a } : a;
      setTimeout(() => {
        r.answeredAt = Date.now();
        res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
      }, delayMs);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  receiver.origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  receiver.url = `${receiver.origin}/hooks`;
  return receiver;
}

/** Whether the OpenOM-Signature header signs this body with this secret, made within the last 5 minutes. */
export function signatureIsValid(secret: string, header: string | string[] | undefined, body: string): boolean {
  const parts = new Map(
    String(header ?? '')
      .split(',')
      .map((p) => p.split('=', 2) as [string, string]),
  );
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (!t || !v1 || !/^\d+$/.test(t) || Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The event bodies received, parsed. */
export function eventsOf(received: Received[]): { id: string; merchant_id: string; timestamp: string; type: string; data: Record<string, string> }[] {
  return received.map((r) => JSON.parse(r.body) as { id: string; merchant_id: string; timestamp: string; type: string; data: Record<string, string> });
}
