// Composes the HTTP application from its plugins. No listening, no process concerns (see main.ts).
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { BuildCompilerFromPool } from '@fastify/ajv-compiler';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import type { Config } from './config.js';
import { adminAuthenticator, merchantAuthenticator, merchantCredentialVerifier } from './http/auth.js';
import { refuseCrossSite } from './http/crossSite.js';
import { handleFrameworkError, registerErrorHandling, unavailable } from './http/errors.js';
import { faultInjector } from './http/faults.js';
import { swaggerOptions, type SecurityKind } from './http/openapi.js';
import { registerLazyDocs } from './http/docs.js';
import { correlationIdOf, registerPlumbing, routedTarget, setStandardHeaders } from './http/plumbing.js';
import { checkoutRoutes } from './checkout/apiRoutes.js';
import { HOSTED_CHECKOUT_PATH } from './checkout/document.js';
import { hostedCheckoutRoutes } from './checkout/pageRoutes.js';
import { checkoutCompletionRoutes } from './checkout/sandboxRoutes.js';
import { authorizationRoutes, paymentSessionRoutes } from './payments/apiRoutes.js';
import { authorizationCustomerTokenRoute } from './payments/customerTokenRoute.js';
import { paymentSandboxRoutes } from './payments/sandboxRoutes.js';
import { HOSTED_PAYMENTS_PATH } from './payments/document.js';
import { hostedPaymentRoutes } from './payments/pageRoutes.js';
import { adminRoutes } from './http/routes/admin.js';
import { captureRoutes } from './http/routes/captures.js';
import { healthRoutes, type Readiness } from './http/routes/health.js';
import { orderRoutes } from './http/routes/orders.js';
import type { RoutesOptions } from './http/routes/options.js';
import { refundRoutes } from './http/routes/refunds.js';
// Schema components are listed in /openapi.json in the order their modules load: webhooks' before the sandbox's.
import { adminWebhookRoutes, merchantWebhookRoutes } from './http/routes/webhooks.js';
import { clockRoutes } from './http/routes/sandbox/clock.js';
import { faultRoutes } from './http/routes/sandbox/faults.js';
import { fraudDecisionRoutes } from './http/routes/sandbox/fraudDecision.js';
import { pushRoutes } from './http/routes/sandbox/push.js';
import { componentSchemas } from './http/schemas/components.js';
import { handleClientError } from './http/clientErrors.js';
import { decoratePublicUrl } from './http/origin.js';
import { createMetrics, metricsRoute, noMetrics, registerRequestMetrics } from './http/metrics.js';
import { serverFactory, type TlsMaterial } from './http/server.js';
import type { Store } from './store/dialect.js';
import { isFaultablePath } from './domain/faults.js';
import { portal } from './portal/index.js';
import { PORTAL_PREFIX } from './portal/paths.js';
import { HPP_SCOPES } from './hpp/scopes.js';
import { hppSandboxRoutes } from './hpp/sandboxRoutes.js';
import { customerTokenRoutes } from './tokens/routes.js';
import { sandboxTokenRoutes } from './tokens/sandboxRoutes.js';
import { settlementTermsRoutes } from './settlements/adminRoutes.js';
import { settlementRoutes } from './settlements/routes.js';
import { testStateRoutes } from './http/routes/sandbox/testState.js';
import { callRoutes } from './http/routes/sandbox/calls.js';
import { fixtureRoutes } from './fixtures/routes.js';
import { isFixtureLoadCall } from './fixtures/load.js';

export interface AppDeps {
  config: Config;
  store: Store;
  readiness: Readiness;
  /** SHA-256 of the admin token; a getter because bootstrap may finish after the app is built. */
  adminTokenDigest: () => Buffer | undefined;
  logger?: FastifyBaseLogger;
  /** Serve HTTPS with this certificate (CONTRACT §9); HTTP without. */
  tls?: TlsMaterial;
  /** Request validators made at build time (src/http/precompiledValidators.ts); compiled at start without. */
  buildValidator?: BuildCompilerFromPool;
}

/** The Fastify instance with the server, logging, limits and parsing OpenOM runs with. */
function newFastify(deps: AppDeps) {
  const { config } = deps;
  return Fastify({
    serverFactory: serverFactory(deps.tls),
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // One line per request is written by our onResponse hook, with the fields operators need.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'correlation_id' }),
    genReqId: (req) => correlationIdOf(req),
    // Behind a load balancer every connection comes from it: the client is in X-Forwarded-For.
    ...(config.trustProxyHops > 0 ? { trustProxy: (_address: string, hop: number) => hop < config.trustProxyHops } : {}),
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    // main.ts stops accepting before closing; a late request still gets our 503, not Fastify's.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    ajv: {
      // No type coercion: "100" is not an amount. Unknown properties are dropped, as Klarna ignores them.
      customOptions: { coerceTypes: false, removeAdditional: true, useDefaults: false, allErrors: false },
    },
    ...(deps.buildValidator ? { schemaController: { compilersFactory: { buildValidator: deps.buildValidator } } } : {}),
    clientErrorHandler: handleClientError,
    rewriteUrl: (request) => routedTarget(request.url ?? '/'),
    // Ids longer than the router's default 100 characters are malformed ids (400 BAD_VALUE naming them), not 414s.
    routerOptions: { maxParamLength: 4096 },
    // URLs the router rejects before any hook runs (a malformed %-escape) still get Klarna's body.
    frameworkErrors: (err, request, reply) => {
      setStandardHeaders(request, reply);
      return handleFrameworkError(err, request, reply);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
}

/**
 * One credential check per credential kind, so failed-login throttles and the credential cache are
 * shared by every route that takes those credentials (the portal's login form included).
 */
function credentialChecks({ store, config, adminTokenDigest }: AppDeps) {
  const verifyMerchantCredentials = merchantCredentialVerifier(store, {
    cacheTtlMs: config.authCacheTtlMs,
    cacheMaxEntries: config.authCacheMaxEntries,
    failureLimit: config.authFailureLimit,
    failureWindowMs: config.authFailureWindowMs,
  });
  return {
    verifyMerchantCredentials,
    authenticateMerchant: merchantAuthenticator(verifyMerchantCredentials),
    authenticateAdmin: adminAuthenticator(() => adminTokenDigest() ?? Buffer.alloc(32), {
      failureLimit: config.authFailureLimit,
      failureWindowMs: config.authFailureWindowMs,
    }),
  };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, store, readiness } = deps;
  const app = newFastify(deps);

  // Order documents are rendered from stored JSON (src/store/orderDocuments.ts) and the few other
  // bodies are built field by field, so response schemas document the API (/openapi.json) but need
  // no compiled serializers: not compiling them saves a good part of start-up.
  app.setSerializerCompiler(() => (data: unknown) => JSON.stringify(data));
  app.decorateRequest('merchantId', '');
  registerErrorHandling(app);
  registerPlumbing(app);
  const metrics = config.metrics ? createMetrics(store) : noMetrics;
  app.decorate('metrics', metrics);
  decoratePublicUrl(app, config.publicUrl);
  if (config.metrics) registerRequestMetrics(app, metrics);

  await app.register(swagger, swaggerOptions);
  // Named schemas, referenced by $id from the routes' schemas (src/http/schemas/components.ts).
  for (const schema of componentSchemas()) app.addSchema(schema);
  registerLazyDocs(app);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { store, config, readiness });

  // While OPENOM_FIXTURES loads, only the loader's own calls get through: a client asking early
  // would otherwise fail to log in as a merchant not made yet, and count towards the login throttle.
  const requireReady = (request: FastifyRequest, _reply: unknown, done: (err?: Error) => void) =>
    done(readiness.migrated && (!readiness.pending || isFixtureLoadCall(request.headers)) ? undefined : unavailable(readiness.pending ?? 'The store is not ready yet.'));

  const { verifyMerchantCredentials, authenticateMerchant, authenticateAdmin } = credentialChecks(deps);
  // Sandbox faults (CONTRACT §5): one store read per merchant request in sandbox mode, none in production.
  const injectFaults = config.mode === 'sandbox' ? faultInjector(store) : undefined;

  /**
   * Routes under prefix behind readiness and one kind of credentials, declared so in /openapi.json;
   * 'none' for the shopper's pages, whose access is the unguessable id in their path.
   */
  const scope = (prefix: string, security: SecurityKind | 'none', plugins: FastifyPluginAsync<RoutesOptions>[]) =>
    app.register(
      async (api) => {
        api.addHook('onRequest', requireReady);
        if (security !== 'none') {
          api.addHook('onRequest', refuseCrossSite);
          api.addHook('onRequest', security === 'merchant' ? authenticateMerchant : authenticateAdmin);
          api.addHook('onRoute', (route) => {
            route.schema = { ...route.schema, security: [{ [security]: [] }] } as typeof route.schema;
          });
        }
        if (injectFaults && security === 'merchant' && isFaultablePath(prefix)) api.addHook('onRequest', injectFaults);
        for (const plugin of plugins) await api.register(plugin, { store, config });
      },
      { prefix },
    );

  await scope('/ordermanagement/v1/orders', 'merchant', [orderRoutes, captureRoutes, refundRoutes]);
  await scope('/admin/v1', 'admin', [adminRoutes, adminWebhookRoutes, settlementTermsRoutes]);
  // With OPENOM_METRICS_PORT main.ts serves /metrics there, unauthenticated; otherwise here, for the admin.
  if (config.metrics && config.metricsPort === undefined) await scope('', 'admin', [metricsRoute]);
  // Test helpers exist only in sandbox mode: in production every /sandbox/ path is 404 NOT_FOUND
  // (CONTRACT §5), and so is the checkout, since OpenOM takes no real payments (§6).
  if (config.mode === 'sandbox') {
    // /sandbox/v1: the test helpers a merchant developer drives a sandbox with (CONTRACT §5), one
    // plugin per resource; the checkout's purchase helper is the checkout's own (src/checkout/).
    const sandboxRoutes = [clockRoutes, faultRoutes, fraudDecisionRoutes, merchantWebhookRoutes, checkoutCompletionRoutes, pushRoutes, hppSandboxRoutes, testStateRoutes, callRoutes];
    await scope('/sandbox/v1', 'merchant', sandboxRoutes);
    await scope('/checkout/v3', 'merchant', [checkoutRoutes]);
    await scope(HOSTED_CHECKOUT_PATH, 'none', [hostedCheckoutRoutes]);
    // Klarna Payments (CONTRACT §14) exists only under the klarna profile: Kustom does not offer it.
    if (config.profile === 'klarna') {
      await scope('/payments/v1', 'merchant', [paymentSessionRoutes, authorizationRoutes, authorizationCustomerTokenRoute]);
      await scope('/sandbox/v1/payments', 'merchant', [paymentSandboxRoutes]);
      await scope(HOSTED_PAYMENTS_PATH, 'none', [hostedPaymentRoutes]);
    }
    for (const [prefix, security, plugins] of HPP_SCOPES) await scope(prefix, security, plugins); // Hosted Payment Page (CONTRACT §13)
    // The token's sandbox helper is the tokens' own (src/tokens/), beside the other helpers.
    await scope('/sandbox/v1', 'merchant', [sandboxTokenRoutes]);
    await scope('/admin/v1', 'admin', [fixtureRoutes(app, store)]);
  }
  // Customer tokens exist in both modes (CONTRACT §12), though only a sandbox checkout makes one.
  await scope('/customer-token/v1', 'merchant', [customerTokenRoutes]);
  // The Settlements API (CONTRACT §11): both modes, read only (src/settlements/).
  await scope('/settlements/v1', 'merchant', [settlementRoutes]);
  // The merchant portal: HTML for people, in both modes, with its own sessions (src/portal/); its
  // webhooks page is a sandbox helper, as /sandbox/v1/webhooks is (CONTRACT §10).
  const portalSections = config.mode === 'sandbox' ? (['orders', 'webhooks', 'pay-by-link', 'tokens', 'payouts'] as const) : (['orders', 'tokens', 'payouts'] as const);
  await app.register(portal, { prefix: PORTAL_PREFIX, store, config, verifyMerchantCredentials, requireReady, sections: portalSections });

  return app;
}
