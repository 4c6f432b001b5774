// /portal/webhooks (sandbox mode): the merchant's endpoints, each with its newest deliveries and
// "Resend", a form to add one (its signing secret shown once), and "Delete". /portal/webhooks/{id}
// is one endpoint with its deliveries a page at a time.
import { MAX_WEBHOOK_URL_LENGTH, WEBHOOK_EVENT_TYPES } from '../../domain/webhookEvents.js';
import type { Delivery, NewWebhookEndpoint, WebhookEndpoint } from '../../store/webhooks.js';
import { html, type SafeHtml } from '../../html.js';
import { deliveryTable } from './deliveries.js';
import { time } from './formats.js';
import { csrfField, page, type Section, type Viewer } from './layout.js';
import { portalPaths } from '../paths.js';

export interface EndpointDeliveries {
  endpoint: WebhookEndpoint;
  /** Newest first. */
  deliveries: Delivery[];
  /** Where the next, older page starts (the last delivery shown), when there is one. */
  older?: string;
  /** Whether this is a later page, so a link back to the newest is due. */
  paged: boolean;
}

/** The add-endpoint form as it was sent, and why it could not be used. */
export interface AddForm {
  url: string;
  events: readonly string[];
  urlError?: string;
  eventsError?: string;
}

export interface WebhooksView {
  viewer: Viewer;
  sections: readonly Section[];
  endpoints: EndpointDeliveries[];
  /** One endpoint's page rather than all of them (no add form). */
  single: boolean;
  /** A message after a successful action. */
  done?: string;
  /** Why the last action was refused. */
  error?: string;
  /** The endpoint just added, with its signing secret: the only time it is shown. */
  created?: NewWebhookEndpoint;
  form?: AddForm;
}

function endpointCard(view: WebhooksView, item: EndpointDeliveries): SafeHtml {
  const { endpoint } = item;
  const id = endpoint.webhook_id;
  const pages = html`${item.paged ? html`<a href="${portalPaths.webhook(id)}">← Newest deliveries</a>` : ''}
${item.older ? html`<a href="${portalPaths.webhookOlder(id, item.older)}">Older deliveries →</a>` : ''}`;
  return html`<section class="card" aria-labelledby="endpoint-${id}">
<h2 id="endpoint-${id}" class="endpoint-url">${endpoint.url}</h2>
<div class="endpoint-head"><dl class="facts">
  <dt>Events</dt><dd>${endpoint.events.map((e, i) => html`${i > 0 ? ', ' : ''}<code>${e}</code>`)}</dd>
  <dt>Created</dt><dd>${time(endpoint.created_at)}</dd>
  <dt>Endpoint id</dt><dd class="mono">${id}</dd>
</dl>
<form method="get" action="${portalPaths.webhookDelete(id)}"><button type="submit" class="danger">Delete<span class="visually-hidden"> endpoint ${endpoint.url}</span></button></form></div>
<h3>Deliveries</h3>
${deliveryTable(view.viewer, id, endpoint.url, item.deliveries)}
${item.paged || item.older ? html`<nav class="pager" aria-label="Deliveries to ${endpoint.url}">${pages}</nav>` : ''}
</section>`;
}

function createdNotice(created: NewWebhookEndpoint): SafeHtml {
  return html`<div class="notice ok" role="status"><p><strong>Endpoint added.</strong> Its signing secret is shown only now; keep it where
your server can read it to check the <code>OpenOM-Signature</code> header of every delivery:</p>
<p><code class="secret">${created.signing_secret}</code></p></div>`;
}

function addForm(view: WebhooksView): SafeHtml {
  const form = view.form;
  const chosen = form ? form.events : WEBHOOK_EVENT_TYPES;
  const urlDescribed = `hook-url-hint${form?.urlError ? ' hook-url-error' : ''}`;
  return html`<section class="card" aria-labelledby="add-title"><h2 id="add-title">Add an endpoint</h2>
<form method="post" action="${portalPaths.webhooks}" class="add-endpoint">
  ${csrfField(view.viewer)}
  <div class="field"><label for="hook-url">Endpoint URL</label>
    <input id="hook-url" name="url" type="url" required maxlength="${MAX_WEBHOOK_URL_LENGTH}" size="60" autocomplete="url" value="${form?.url ?? ''}"
      aria-describedby="${urlDescribed}"${form?.urlError ? html` aria-invalid="true"` : ''}>
    <span class="hint" id="hook-url-hint">An http or https URL; each event is POSTed to it as JSON, signed with the endpoint's secret.</span>
    ${form?.urlError ? html`<span class="error-text" id="hook-url-error">${form.urlError}</span>` : ''}</div>
  <fieldset${form?.eventsError ? html` aria-describedby="hook-events-error"` : ''}><legend>Events</legend>
    <div class="checks">${WEBHOOK_EVENT_TYPES.map(
      (e) => html`<label><input type="checkbox" name="events" value="${e}"${chosen.includes(e) ? html` checked` : ''}> <code>${e}</code></label>`,
    )}</div>
    ${form?.eventsError ? html`<span class="error-text" id="hook-events-error">${form.eventsError}</span>` : ''}</fieldset>
  <div><button type="submit">Add endpoint</button></div>
</form></section>`;
}

export function webhooksPage(view: WebhooksView): string {
  const only = view.single ? view.endpoints[0] : undefined;
  const heading = only ? html`<p><a href="${portalPaths.webhooks}">← All endpoints</a></p><h1>Webhook endpoint</h1>` : html`<h1>Webhooks</h1>`;
  const none = html`<p class="empty card">No webhook endpoints yet: add one below, and every order event it subscribes to is delivered to it.</p>`;
  return page({
    title: only ? `Webhook endpoint ${only.endpoint.url}` : 'Webhooks',
    viewer: view.viewer,
    section: 'webhooks',
    sections: view.sections,
    body: html`${heading}
${view.done ? html`<div class="notice ok" role="status">${view.done}</div>` : ''}
${view.error ? html`<div class="notice error" role="alert"><strong>Refused:</strong> ${view.error}</div>` : ''}
${view.created ? createdNotice(view.created) : ''}
${view.endpoints.length === 0 && !view.single ? none : view.endpoints.map((item) => endpointCard(view, item))}
${view.single ? '' : addForm(view)}`,
  });
}
