// Webhook endpoints and their deliveries (CONTRACT §7). One set of routes, mounted twice: under
// /sandbox/v1/webhooks for the merchant (Basic auth, sandbox mode only) and under
// /admin/v1/merchants/{merchant_id}/webhooks for operators (admin token, both modes).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TProperties } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { problems } from '../../domain/errorCodes.js';
import { merchantExists } from '../../store/merchants.js';
import { isUuid } from '../../store/orders.js';
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks, resendDelivery } from '../../store/webhooks.js';
import { ApiError, badValue } from '../errors.js';
import { MerchantIdParams, Uuid } from '../schemas/common.js';
import { noBody, refused } from '../schemas/responses.js';
import { MAX_WEBHOOKS_PER_MERCHANT, TOO_MANY_WEBHOOKS, webhookUrlProblem } from '../../domain/webhookEvents.js';
import { Delivery, DeliveryList, DeliveryListQuery, NewWebhook, WebhookBody, WebhookList } from '../schemas/webhooks.js';
import type { RoutesOptions } from './options.js';

const DEFAULT_PAGE_SIZE = 20;

type MerchantOf = (request: FastifyRequest, options: RoutesOptions) => Promise<string>;

const webhookNotFound = (id: string) => ApiError.of(problems.notFound(`Webhook ${id}`));
const deliveryNotFound = (id: string) => ApiError.of(problems.notFound(`Delivery ${id}`));

function checkWebhookUrl(url: string): void {
  const problem = webhookUrlProblem(url);
  if (problem) throw badValue(`Bad value: url (${problem})`);
}

/** Delivery ids are positive integers (job ids); anything else in the path is 400 BAD_VALUE, as a malformed UUID is. */
const DELIVERY_ID_PATTERN = '^[1-9][0-9]{0,14}$';

/** How one mount of the webhook routes is listed in /openapi.json: its section, and the noun its operationIds use. */
interface Listing {
  tags: string[];
  /** createWebhook, listWebhooks…, or createMerchantWebhook… for the second mount: operationIds are unique. */
  noun: 'Webhook' | 'MerchantWebhook';
}

/**
 * The webhook routes for the merchant that merchantOf finds in the request; params names the path
 * parameters of the mount point.
 */
function webhookRoutes(merchantOf: MerchantOf, params: TProperties, listing: Listing): FastifyPluginAsyncTypebox<RoutesOptions> {
  return async (app, options) => {
    endpointRoutes(app, options, merchantOf, params, listing);
    deliveryRoutes(app, options, merchantOf, params, listing);
  };
}

type WebhookApp = Parameters<FastifyPluginAsyncTypebox<RoutesOptions>>[0];

/** Register, list and delete endpoints. */
function endpointRoutes(app: WebhookApp, options: RoutesOptions, merchantOf: MerchantOf, params: TProperties, { tags, noun }: Listing): void {
  const { store } = options;
  const WebhookParams = Type.Object({ ...params, webhook_id: Uuid('Webhook endpoint id') });
  app.post(
    '/webhooks',
    {
      schema: {
        tags,
        operationId: `create${noun}`,
        summary: 'Register a webhook endpoint (the signing secret is shown only in this response)',
        params: Type.Object(params),
        body: WebhookBody,
        response: {
          201: { ...NewWebhook, description: 'The endpoint, with the secret that signs its deliveries' },
          403: refused('NOT_ALLOWED', `the merchant has ${MAX_WEBHOOKS_PER_MERCHANT} webhook endpoints already`),
        },
      },
    },
    async (request, reply) => {
      const merchantId = await merchantOf(request, options);
      checkWebhookUrl(request.body.url);
      const created = await createWebhook(store, merchantId, request.body);
      if (created === 'too_many') throw new ApiError('NOT_ALLOWED', [TOO_MANY_WEBHOOKS]);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/webhooks',
    {
      schema: {
        tags,
        operationId: `list${noun}s`,
        summary: 'List webhook endpoints',
        params: Type.Object(params),
        response: { 200: { ...WebhookList, description: 'The endpoints, without their signing secrets' } },
      },
    },
    async (request) => ({ webhooks: await listWebhooks(store, await merchantOf(request, options)) }),
  );

  app.delete(
    '/webhooks/:webhook_id',
    {
      schema: {
        tags,
        operationId: `delete${noun}`,
        summary: 'Delete a webhook endpoint; its pending deliveries are cancelled',
        params: WebhookParams,
        response: { 204: noBody('Deleted') },
      },
    },
    async (request, reply) => {
      const { webhook_id } = request.params;
      if (!(await deleteWebhook(store, await merchantOf(request, options), webhook_id))) throw webhookNotFound(webhook_id);
      return reply.code(204).send();
    },
  );
}

/** An endpoint's deliveries, and sending one again. */
function deliveryRoutes(app: WebhookApp, options: RoutesOptions, merchantOf: MerchantOf, params: TProperties, { tags, noun }: Listing): void {
  const { store } = options;
  const WebhookParams = Type.Object({ ...params, webhook_id: Uuid('Webhook endpoint id') });
  const DeliveryParams = Type.Object({ ...params, webhook_id: Uuid('Webhook endpoint id'), delivery_id: Type.String({ pattern: DELIVERY_ID_PATTERN, description: 'Delivery id' }) });
  app.get(
    '/webhooks/:webhook_id/deliveries',
    {
      schema: {
        tags,
        operationId: `list${noun}Deliveries`,
        summary: "An endpoint's deliveries, newest first, each with its attempts",
        params: WebhookParams,
        querystring: DeliveryListQuery,
        response: { 200: { ...DeliveryList, description: 'One page of deliveries, newest first' } },
      },
    },
    async (request) => {
      const { webhook_id } = request.params;
      const { limit, before } = request.query;
      const page = { limit: limit === undefined ? DEFAULT_PAGE_SIZE : Number(limit), before: before === undefined ? undefined : Number(before) };
      const deliveries = await listDeliveries(store, await merchantOf(request, options), webhook_id, page);
      if (!deliveries) throw webhookNotFound(webhook_id);
      return { deliveries };
    },
  );

  app.post(
    '/webhooks/:webhook_id/deliveries/:delivery_id/resend',
    {
      schema: {
        tags,
        operationId: `resend${noun}Delivery`,
        summary: "Send a delivery's event again now, as a new attempt (same body, same event id)",
        params: DeliveryParams,
        response: { 202: { ...Delivery, description: 'The delivery, with the new attempt under way' } },
      },
    },
    async (request, reply) => {
      const { webhook_id, delivery_id } = request.params;
      const merchantId = await merchantOf(request, options);
      const delivery = await resendDelivery(store, merchantId, webhook_id, Number(delivery_id));
      if ('missing' in delivery) throw delivery.missing === 'webhook' ? webhookNotFound(webhook_id) : deliveryNotFound(delivery_id);
      return reply.code(202).send(delivery);
    },
  );
}

/** /sandbox/v1/webhooks: the authenticated merchant's own endpoints. */
export const merchantWebhookRoutes = webhookRoutes(async (request) => request.merchantId, {}, { tags: ['Sandbox'], noun: 'Webhook' });

const adminRoutes = webhookRoutes(
  async (request, { store }) => {
    const { merchant_id } = request.params as { merchant_id: string };
    if (!isUuid(merchant_id) || !(await merchantExists(store, merchant_id))) throw ApiError.of(problems.notFound(`Merchant ${merchant_id}`));
    return merchant_id;
  },
  MerchantIdParams.properties,
  { tags: ['Admin'], noun: 'MerchantWebhook' },
);

/** /admin/v1/merchants/{merchant_id}/webhooks: any merchant's endpoints, for operators. */
export const adminWebhookRoutes: FastifyPluginAsync<RoutesOptions> = async (app, options) => {
  await app.register(adminRoutes, { ...options, prefix: '/merchants/:merchant_id' });
};
