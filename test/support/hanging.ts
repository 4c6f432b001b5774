// A merchant server that never answers: it reads each request and keeps the connection open, so
// every call OpenOM makes to it runs into its 10 s timeout. For fairness tests and bench/fairness.ts.
import { once } from 'node:events';
import { createServer } from 'node:http';

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
