// /hpp/v1/sessions: Klarna's Hosted Payment Page API v1 (CONTRACT §13), sandbox mode. A session
// sends the shopper to OpenOM's payment page by link for a checkout order (or, once the Payments
// API is plugged in, a payment session); the merchant reads its status, disables it, or has the
// link "sent" by e-mail or SMS into an outbox it reads at /sandbox/v1/hpp/messages.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { checkHppMerchantUrls, checkSourceOffered, parsePaymentSessionUrl, placeOrderModeFor, storedHppMerchantUrls } from '../domain/hpp.js';
import { sendJson } from '../http/commandReply.js';
import { ApiError } from '../http/errors.js';
import { absoluteUrl } from '../http/origin.js';
import type { RoutesOptions } from '../http/routes/options.js';
import { noBody, refused } from '../http/schemas/responses.js';
import { changeHppStatus, createHppSession, hppSessionView, noSuchSession, readHppSession, recordDistribution } from '../store/hppSessions.js';
import type { HppDistributionsTable, HppSessionsTable } from '../store/schema.js';
import { hppPaths } from './paths.js';
import { DistributionRequest, HppMessage, HppSession, HppSessionCreated, HppSessionParams, HppSessionRequest } from './schemas.js';

const tags = ['Hosted Payment Page'];

function createdJson(request: FastifyRequest, session: HppSessionsTable): string {
  const id = session.session_id;
  return JSON.stringify({
    session_id: id,
    session_url: absoluteUrl(request, hppPaths.session(id)),
    redirect_url: absoluteUrl(request, hppPaths.page(id)),
    distribution_url: absoluteUrl(request, hppPaths.distribution(id)),
    qr_code_url: absoluteUrl(request, hppPaths.qrCode(id)),
    expires_at: session.expires_at,
  });
}

export function messageJson(d: HppDistributionsTable) {
  return {
    distribution_id: d.distribution_id,
    session_id: d.session_id,
    method: d.method,
    contact_information: JSON.parse(d.contact_information) as Record<string, string>,
    link: d.link,
    message: d.message,
    created_at: d.created_at,
  };
}

/** The session as the request describes it, or the first bad field as 400 BAD_VALUE. */
function newSessionOf(body: HppSessionRequest, paymentsOffered: boolean) {
  const source = parsePaymentSessionUrl(body.payment_session_url);
  if (!source.ok) throw ApiError.of(source);
  const notOffered = checkSourceOffered(source.value.kind, paymentsOffered);
  if (notOffered) throw ApiError.of(notOffered);
  const merchant_urls = body.merchant_urls ?? {};
  const badUrl = checkHppMerchantUrls(merchant_urls);
  if (badUrl) throw ApiError.of(badUrl);
  const { place_order_mode: requested, ...options } = body.options ?? {};
  const mode = placeOrderModeFor(source.value.kind, requested);
  if (!mode.ok) throw ApiError.of(mode);
  return { source: source.value, merchant_urls: storedHppMerchantUrls(merchant_urls), place_order_mode: mode.value, options };
}

export const hppApiRoutes: FastifyPluginAsyncTypebox<RoutesOptions> = async (app, { store, config }) => {
  app.post(
    '/sessions',
    {
      schema: {
        tags,
        operationId: 'createHppSession',
        summary: 'Create a Hosted Payment Page session for a checkout order or (klarna profile) a Klarna Payments session: a link to pay it by',
        body: HppSessionRequest,
        response: {
          201: {
            ...HppSessionCreated,
            description: 'The session; Location names it (session_url)',
            headers: { Location: Type.String({ format: 'uri', description: 'session_url' }) },
          },
        },
      },
    },
    async (request, reply) => {
      const created = await createHppSession(store, request.merchantId, newSessionOf(request.body, config.profile === 'klarna'));
      if (!created.ok) throw ApiError.of(created.problem);
      reply.header('location', absoluteUrl(request, hppPaths.session(created.session.session_id)));
      return sendJson(reply, createdJson(request, created.session), 201);
    },
  );

  app.get(
    '/sessions/:session_id',
    { schema: { tags, operationId: 'getHppSession', summary: "Read a session's status", params: HppSessionParams, response: { 200: { ...HppSession, description: 'The session' } } } },
    async (request, reply) => {
      const reading = await readHppSession(store, request.params.session_id, request.merchantId);
      if (!reading) throw ApiError.of(noSuchSession(request.params.session_id));
      return sendJson(reply, JSON.stringify(hppSessionView(reading.session)));
    },
  );

  app.delete(
    '/sessions/:session_id',
    {
      schema: {
        tags,
        operationId: 'disableHppSession',
        summary: 'Disable a session: its link no longer works (DISABLED)',
        params: HppSessionParams,
        response: { 204: noBody('Disabled (again: nothing changes)') },
      },
    },
    async (request, reply) => {
      const change = await changeHppStatus(store, request.params.session_id, 'disable', request.merchantId);
      if (!change.ok) throw ApiError.of(change.problem);
      return reply.code(204).send();
    },
  );

  app.post(
    '/sessions/:session_id/distribution',
    {
      schema: {
        tags,
        operationId: 'distributeHppSession',
        summary: "Have the session's link sent by e-mail or SMS: recorded in the outbox (GET /sandbox/v1/hpp/messages), nothing is sent",
        params: HppSessionParams,
        body: DistributionRequest,
        response: { 201: { ...HppMessage, description: 'The message as recorded' }, 403: refused('NOT_ALLOWED', 'the session is final or expired') },
      },
    },
    async (request, reply) => {
      const { session_id } = request.params;
      const { method, contact_information } = request.body;
      const link = absoluteUrl(request, hppPaths.page(session_id.toLowerCase()));
      const recorded = await recordDistribution(store, request.merchantId, session_id, { method, contact_information, link });
      if (!recorded.ok) throw ApiError.of(recorded.problem);
      return sendJson(reply, JSON.stringify(messageJson(recorded.distribution)), 201);
    },
  );
};
