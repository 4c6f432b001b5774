// The HTTP ceiling anchor: a bare Fastify server answering one small JSON document, no logging.
// Usage: node bench/lib/hello-server.mjs <port>   (prints "ready" once listening)
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
process.stdout.write('ready\n');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
