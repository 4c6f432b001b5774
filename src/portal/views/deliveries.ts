// One webhook endpoint's deliveries as a table: the event, its order, status, the attempts made
// (HTTP status or why there was no answer, on the merchant's clock) and a "Resend" button.
import type { Delivery, DeliveryAttempt } from '../../store/webhooks.js';
import { html, type SafeHtml } from '../../html.js';
import { time } from './formats.js';
import { csrfField, type Viewer } from './layout.js';
import { portalPaths } from '../paths.js';

/** A delivery's attempts beyond these are counted, not listed: a long-failing one has a dozen. */
const ATTEMPTS_SHOWN = 4;

const STATUS_NAMES: Record<Delivery['status'], string> = { pending: 'Pending', delivered: 'Delivered', failed: 'Failed', cancelled: 'Cancelled' };

/** Colour helps, the words carry the meaning (as the order status badges). */
const deliveryBadge = (status: Delivery['status']) => html`<span class="badge delivery-${status}">${STATUS_NAMES[status]}</span>`;

function outcome(a: DeliveryAttempt): string {
  const answer = a.status_code > 0 ? `HTTP ${a.status_code}` : 'No answer';
  return a.error ? `${answer}: ${a.error}` : answer;
}

function attemptList(delivery: Delivery): SafeHtml {
  if (delivery.attempts.length === 0) return html`<span class="hint">None yet</span>`;
  const hidden = delivery.attempts.length - ATTEMPTS_SHOWN;
  return html`<ol class="attempts">${delivery.attempts.slice(0, ATTEMPTS_SHOWN).map(
    (a) => html`<li><span class="${a.status_code >= 200 && a.status_code < 300 ? 'ok-text' : 'error-text'}">#${a.attempt} ${outcome(a)}</span>
<span class="hint">${time(a.attempted_at)} · ${a.duration_ms} ms</span></li>`,
  )}</ol>${hidden > 0 ? html`<span class="hint">and ${hidden} earlier</span>` : ''}`;
}

function row(viewer: Viewer, webhookId: string, d: Delivery): SafeHtml {
  return html`<tr>
  <td><code>${d.event_type}</code><br><span class="hint">${time(d.created_at)}</span><br><span class="hint mono">${d.event_id}</span></td>
  <td class="nowrap">${d.order_id ? html`<a class="mono" href="${portalPaths.order(d.order_id)}">${d.order_id}</a>` : ''}</td>
  <td>${deliveryBadge(d.status)}</td>
  <td>${attemptList(d)}</td>
  <td>${d.next_attempt_at ? time(d.next_attempt_at) : html`<span class="hint">None</span>`}</td>
  <td><form method="post" action="${portalPaths.deliveryResend(webhookId, d.delivery_id)}">
    ${csrfField(viewer)}<input type="hidden" name="return_to" value="${viewer.path}">
    <button type="submit" class="secondary">Resend<span class="visually-hidden"> delivery ${d.delivery_id}</span></button></form></td>
</tr>`;
}

export function deliveryTable(viewer: Viewer, webhookId: string, url: string, deliveries: readonly Delivery[]): SafeHtml {
  if (deliveries.length === 0) return html`<p class="empty">No deliveries yet.</p>`;
  return html`<div class="table-wrap"><table>
<caption class="visually-hidden">Deliveries to ${url}, newest first</caption>
<thead><tr><th scope="col">Event</th><th scope="col">Order</th><th scope="col">Status</th><th scope="col">Attempts (newest first)</th>
<th scope="col">Next attempt</th><th scope="col"><span class="visually-hidden">Resend</span></th></tr></thead>
<tbody>${deliveries.map((d) => row(viewer, webhookId, d))}</tbody></table></div>`;
}
