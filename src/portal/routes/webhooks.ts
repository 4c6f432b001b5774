// /portal/webhooks (sandbox mode): endpoints and their deliveries, "Resend", adding and deleting an
// endpoint, all through the store functions the webhooks API uses (src/store/webhooks.ts), so the
// portal and the API cannot disagree on what a resend or a delete does.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { problems } from '../../domain/errorCodes.js';
import { MAX_WEBHOOK_URL_LENGTH, TOO_MANY_WEBHOOKS, WEBHOOK_EVENT_TYPES, webhookUrlProblem, type WebhookEventType } from '../../domain/webhookEvents.js';
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks, recentDeliveries, resendDelivery, type Delivery, type WebhookEndpoint } from '../../store/webhooks.js';
import { sendPage } from '../../html.js';
import { formField, formValues, notFoundPage, queryField, safeReturn, sendMessage, signedIn, type PortalOptions } from '../respond.js';
import { confirmPage } from '../views/confirm.js';
import { webhooksPage, type EndpointDeliveries, type WebhooksView } from '../views/webhooks.js';
import { portalPaths } from '../paths.js';

/** Deliveries per endpoint on the overview, and per page of one endpoint. */
const OVERVIEW_DELIVERIES = 10;
const PAGE_DELIVERIES = 20;
const DELIVERY_ID = /^[1-9][0-9]{0,14}$/;

type Notes = Pick<WebhooksView, 'done' | 'error' | 'created' | 'form'>;

/** One page of the endpoint's deliveries (one more is read to know whether an older page exists); undefined once it is gone. */
async function endpointDeliveries(options: PortalOptions, merchantId: string, endpoint: WebhookEndpoint, limit: number, before?: number): Promise<EndpointDeliveries | undefined> {
  const found = await listDeliveries(options.store, merchantId, endpoint.webhook_id, { limit: limit + 1, before });
  return found && pageOf(endpoint, found, limit, before !== undefined);
}

/** The first `limit` of what was found (read one more than shown, to know whether an older page exists). */
function pageOf(endpoint: WebhookEndpoint, found: Delivery[], limit: number, paged: boolean): EndpointDeliveries {
  const deliveries = found.slice(0, limit);
  return { endpoint, deliveries, older: found.length > limit ? deliveries.at(-1)?.delivery_id : undefined, paged };
}

async function sendOverview(request: FastifyRequest, reply: FastifyReply, options: PortalOptions, status: number, notes: Notes = {}): Promise<FastifyReply> {
  // Shown in answer to a form post too: its forms ("Advance clock", "Resend") must come back to the page, not to the post's path.
  const viewer = { ...signedIn(request, options), path: request.method === 'GET' ? request.url : portalPaths.webhooks };
  const endpoints = await listWebhooks(options.store, viewer.merchantId);
  const recent = await recentDeliveries(
    options.store,
    viewer.merchantId,
    endpoints.map((e) => e.webhook_id),
    OVERVIEW_DELIVERIES + 1,
  );
  const items = endpoints.map((endpoint) => pageOf(endpoint, recent.get(endpoint.webhook_id) ?? [], OVERVIEW_DELIVERIES, false));
  return sendPage(reply, status, webhooksPage({ viewer, sections: options.sections, endpoints: items, single: false, ...notes }));
}

async function ownEndpoint(options: PortalOptions, merchantId: string, webhookId: string): Promise<WebhookEndpoint | undefined> {
  return (await listWebhooks(options.store, merchantId)).find((e) => e.webhook_id === webhookId);
}

const missingMessage = (what: string, id: string) => problems.notFound(`${what} ${id.slice(0, 100)}`).message;

/** What the page says after an action that redirected back to it. */
function doneMessage(request: FastifyRequest): string | undefined {
  const resent = queryField(request, 'resent');
  if (resent !== undefined && DELIVERY_ID.test(resent)) return `Resent delivery ${resent}: it is being sent again now, as its next attempt.`;
  if (queryField(request, 'deleted') === '1') return 'Endpoint deleted. Its pending deliveries are cancelled.';
  return undefined;
}

export const webhookRoutes: FastifyPluginAsync<PortalOptions> = async (app, options) => {
  app.get('/webhooks', async (request, reply) => sendOverview(request, reply, options, 200, { done: doneMessage(request) }));

  app.get<{ Params: { webhook_id: string } }>('/webhooks/:webhook_id', async (request, reply) => {
    const viewer = signedIn(request, options);
    const before = queryField(request, 'before');
    if (before !== undefined && !DELIVERY_ID.test(before)) {
      return sendMessage(request, reply, options, 400, 'Bad request', 'That page of deliveries does not exist; start again from the newest.');
    }
    const endpoint = await ownEndpoint(options, viewer.merchantId, request.params.webhook_id);
    const item = endpoint && (await endpointDeliveries(options, viewer.merchantId, endpoint, PAGE_DELIVERIES, before === undefined ? undefined : Number(before)));
    if (!item) return notFoundPage(request, reply, options);
    return sendPage(reply, 200, webhooksPage({ viewer, sections: options.sections, endpoints: [item], single: true, done: doneMessage(request) }));
  });

  app.post('/webhooks', async (request, reply) => {
    const viewer = signedIn(request, options);
    const url = (formField(request, 'url') ?? '').trim();
    const events = formValues(request, 'events');
    const known = WEBHOOK_EVENT_TYPES.filter((e) => events.includes(e));
    const reason = webhookUrlProblem(url);
    const urlError = url === '' ? 'Enter the URL the events are to be sent to.' : reason && `The URL ${reason}.`;
    const eventsError = events.length > known.length ? 'Choose among the events listed.' : known.length === 0 ? 'Choose at least one event.' : undefined;
    if (urlError || eventsError) {
      const form = { url: url.slice(0, MAX_WEBHOOK_URL_LENGTH + 100), events: known, urlError, eventsError };
      return sendOverview(request, reply, options, 400, { form });
    }
    const created = await createWebhook(options.store, viewer.merchantId, { url, events: known as WebhookEventType[] });
    if (created === 'too_many') return sendOverview(request, reply, options, 403, { form: { url, events: known, urlError: TOO_MANY_WEBHOOKS } });
    // The only page that ever shows the secret: no cache may keep it.
    reply.header('cache-control', 'no-store');
    return sendOverview(request, reply, options, 201, { created });
  });

  app.get<{ Params: { webhook_id: string } }>('/webhooks/:webhook_id/delete', async (request, reply) => {
    const viewer = signedIn(request, options);
    const endpoint = await ownEndpoint(options, viewer.merchantId, request.params.webhook_id);
    if (!endpoint) return notFoundPage(request, reply, options);
    return sendPage(
      reply,
      200,
      confirmPage({
        viewer,
        sections: options.sections,
        section: 'webhooks',
        title: 'Confirm deletion',
        question: `Delete the endpoint ${endpoint.url}? Nothing more is sent to it, and its pending deliveries are cancelled.`,
        action: portalPaths.webhookDelete(endpoint.webhook_id),
        back: { href: portalPaths.webhooks, text: 'Back to the webhooks' },
        danger: true,
      }),
    );
  });

  app.post<{ Params: { webhook_id: string } }>('/webhooks/:webhook_id/delete', async (request, reply) => {
    const viewer = signedIn(request, options);
    const id = request.params.webhook_id;
    if (!(await deleteWebhook(options.store, viewer.merchantId, id))) return sendOverview(request, reply, options, 404, { error: missingMessage('Webhook', id) });
    return reply.redirect(portalPaths.webhooksDeleted, 303);
  });

  app.post<{ Params: { webhook_id: string; delivery_id: string } }>('/webhooks/:webhook_id/deliveries/:delivery_id/resend', async (request, reply) => {
    const viewer = signedIn(request, options);
    const { webhook_id, delivery_id } = request.params;
    const result = DELIVERY_ID.test(delivery_id) ? await resendDelivery(options.store, viewer.merchantId, webhook_id, Number(delivery_id)) : { missing: 'delivery' as const };
    if ('missing' in result) {
      const error = result.missing === 'webhook' ? missingMessage('Webhook', webhook_id) : missingMessage('Delivery', delivery_id);
      return sendOverview(request, reply, options, 404, { error });
    }
    // Back to the page the button was on (it may be a later page of one endpoint), saying so.
    const back = new URL(safeReturn(formField(request, 'return_to'), portalPaths.webhooks), 'http://portal.invalid');
    back.searchParams.delete('deleted');
    back.searchParams.set('resent', result.delivery_id);
    // Checked again once URL has normalised it: "/portal/a/../..//host" must not become "//host", another site.
    return reply.redirect(safeReturn(`${back.pathname}${back.search}`, portalPaths.webhooksResent(result.delivery_id)), 303);
  });
};
