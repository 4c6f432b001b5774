// The browsable API reference at /docs (Swagger UI), loaded on its first request rather than at
// start: @fastify/swagger-ui and what it brings (a YAML library, a scan of its static files) were a
// good part of the time to ready, for a page most instances never serve. Its routes live in a small
// Fastify instance of their own, built then, and /docs requests are handed to it in process; the
// answer goes out through this app, with its headers, hooks and error bodies (an unknown /docs path
// is this app's 404 NOT_FOUND).
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** Headers of the inner answer that this app's own reply sets itself. */
const HOP_BY_HOP = new Set(['connection', 'content-length', 'date', 'keep-alive', 'transfer-encoding']);

async function swaggerUiApp(app: FastifyInstance, prefix: string): Promise<FastifyInstance> {
  const { default: swaggerUi } = await import('@fastify/swagger-ui');
  const docs = Fastify({ logger: false });
  // Swagger UI serves the document of the app it is registered in: here, the outer app's.
  await docs.register(fp(async (inner) => void inner.decorate('swagger', ((options?: { yaml?: boolean }) => app.swagger(options as { yaml: true })) as FastifyInstance['swagger']), { name: '@fastify/swagger' }));
  await docs.register(swaggerUi, { routePrefix: prefix });
  await docs.ready();
  return docs;
}

export function registerLazyDocs(app: FastifyInstance, prefix = '/docs'): void {
  let docs: Promise<FastifyInstance> | undefined;
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    docs ??= swaggerUiApp(app, prefix);
    // A HEAD is asked as a GET: this app's HEAD route sends the GET's headers without its body.
    const res = await (await docs).inject({ method: 'GET', url: request.url, headers: request.headers });
    if (res.statusCode === 404) return reply.callNotFound();
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) reply.header(name, value);
    }
    // No body (a redirect, 304) is sent as none, which gets no Content-Type.
    return reply.code(res.statusCode).send(res.rawPayload.length > 0 ? res.rawPayload : undefined);
  };
  app.addHook('onClose', async () => {
    if (docs) await (await docs).close();
  });
  for (const url of [prefix, `${prefix}/`, `${prefix}/json`, `${prefix}/yaml`, `${prefix}/static/*`]) {
    app.get(url, { schema: { hide: true } }, forward);
  }
}
