// Webhook endpoints and deliveries (CONTRACT §7), as the sandbox and admin webhook APIs take and show them.
import { Type } from '@sinclair/typebox';
import { MAX_WEBHOOK_URL_LENGTH, WEBHOOK_EVENT_TYPES } from '../../domain/webhookEvents.js';
import { component } from './components.js';

const WebhookEventType = component('WebhookEventType', Type.Union(WEBHOOK_EVENT_TYPES.map((e) => Type.Literal(e))));

export const WebhookBody = component(
  'WebhookRequest',
  Type.Object(
    {
      url: Type.String({ minLength: 1, maxLength: MAX_WEBHOOK_URL_LENGTH, description: 'http or https URL that receives the events' }),
      events: Type.Array(WebhookEventType, { minItems: 1, maxItems: 100, description: 'Event types to receive' }),
    },
    { additionalProperties: false },
  ),
);

const WebhookFields = {
  webhook_id: Type.String(),
  url: Type.String(),
  events: Type.Array(WebhookEventType),
  created_at: Type.String({ format: 'date-time', description: "Merchant clock" }),
};

export const Webhook = component('Webhook', Type.Object(WebhookFields));
export const WebhookList = component('WebhookList', Type.Object({ webhooks: Type.Array(Webhook) }));

export const NewWebhook = component(
  'NewWebhook',
  Type.Object(
    { ...WebhookFields, signing_secret: Type.String({ description: 'Signs every delivery (OpenOM-Signature); shown only in this response' }) },
    { description: 'The endpoint, with its signing secret' },
  ),
);

const DeliveryAttempt = Type.Object({
  attempt: Type.Integer({ minimum: 1, description: '1 for the first attempt' }),
  status_code: Type.Integer({ description: 'HTTP status the endpoint answered; 0 when there was no answer (see error)' }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'Why there was no answer: timeout, ECONNREFUSED…' }),
  duration_ms: Type.Integer(),
  attempted_at: Type.String({ format: 'date-time', description: 'Merchant clock' }),
});

export const Delivery = component(
  'WebhookDelivery',
  Type.Object(
    {
      delivery_id: Type.String(),
      event_id: Type.String({ description: 'The event body\'s id (kevt_…); the same on every attempt' }),
      event_type: Type.String(),
      order_id: Type.Union([Type.String(), Type.Null()]),
      status: Type.Union(['pending', 'delivered', 'failed', 'cancelled'].map((s) => Type.Literal(s)), {
        description: 'pending: waiting for its first attempt or a retry; delivered: answered 2xx; failed: retries ran out (3 days after the event); cancelled: the endpoint was deleted',
      }),
      attempt_count: Type.Integer({ minimum: 0 }),
      next_attempt_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'While pending: when the next attempt is due (merchant clock)' }),
      created_at: Type.String({ format: 'date-time', description: 'When the event happened (merchant clock)' }),
      attempts: Type.Array(DeliveryAttempt, { description: 'Newest first' }),
    },
    { description: 'One event for one endpoint, with every attempt made to deliver it' },
  ),
);

export const DeliveryList = component('WebhookDeliveryList', Type.Object({ deliveries: Type.Array(Delivery, { description: 'Newest first' }) }));

export const DeliveryListQuery = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^([1-9][0-9]?|100)$', description: 'At most this many (1–100, default 20)' })),
  before: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'Only deliveries older than this delivery_id: the last one of the previous page' })),
});
