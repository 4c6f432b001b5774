// /portal/pay-by-link (sandbox mode): the merchant's Hosted Payment Page sessions, the
// status_update callbacks the delivery engine made for them (each attempt, as webhook deliveries
// show theirs), and the outbox of links "sent" by e-mail or SMS. Read-only.
import type { HppDelivery } from '../../store/hppSessions.js';
import type { HppDistributionsTable, HppSessionsTable } from '../../store/schema.js';
import { html, type SafeHtml } from '../../html.js';
import { time } from './formats.js';
import { page, type Section, type Viewer } from './layout.js';
import { portalPaths } from '../paths.js';

export interface PayByLinkView {
  viewer: Viewer;
  sections: readonly Section[];
  sessions: HppSessionsTable[];
  deliveries: HppDelivery[];
  messages: HppDistributionsTable[];
}

const DELIVERY_NAMES: Record<HppDelivery['state'], string> = { pending: 'Pending', delivered: 'Delivered', failed: 'Failed', cancelled: 'Cancelled' };

/** URLs are shown without their query string, as they are logged (CONTRACT §7). */
function withoutQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '';
  }
}

function sessionsTable(sessions: HppSessionsTable[]): SafeHtml {
  if (sessions.length === 0) return html`<p class="empty">No pay-by-link sessions yet. Create one with <code>POST /hpp/v1/sessions</code> or <code>openom hpp create</code>.</p>`;
  const rows = sessions.map(
    (s) => html`<tr><td class="mono">${s.session_id}</td><td><span class="badge">${s.status}</span></td>
<td class="nowrap">${s.order_id ? html`<a class="mono" href="${portalPaths.order(s.order_id)}">${s.order_id}</a>` : html`<span class="hint mono">${s.source_id}</span>`}</td>
<td>${s.place_order_mode}</td><td>${time(s.updated_at)}</td><td>${time(s.expires_at)}</td></tr>`,
  );
  return html`<div class="table-wrap"><table><caption class="visually-hidden">Sessions, newest first</caption>
<thead><tr><th scope="col">Session</th><th scope="col">Status</th><th scope="col">Order (checkout order until paid)</th><th scope="col">Mode</th><th scope="col">Updated</th><th scope="col">Expires</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

function attempts(d: HppDelivery): SafeHtml {
  if (d.attempts.length === 0) return html`<span class="hint">None yet</span>`;
  return html`<ol class="attempts">${d.attempts.map(
    (a) => html`<li><span class="${a.status_code >= 200 && a.status_code < 300 ? 'ok-text' : 'error-text'}">#${a.attempt} ${a.status_code > 0 ? `HTTP ${a.status_code}` : 'No answer'}${a.error ? `: ${a.error}` : ''}</span>
<span class="hint">${time(a.attempted_at)} · ${a.duration_ms} ms</span></li>`,
  )}</ol>`;
}

function deliveriesTable(deliveries: HppDelivery[]): SafeHtml {
  if (deliveries.length === 0) return html`<p class="empty">No status updates yet: they go to a session's <code>merchant_urls.status_update</code>.</p>`;
  const rows = deliveries.map(
    (d) => html`<tr><td><code>${d.status}</code><br><span class="hint mono">${d.session_id}</span></td><td class="mono">${withoutQuery(d.url)}</td>
<td><span class="badge delivery-${d.state}">${DELIVERY_NAMES[d.state]}</span></td><td>${attempts(d)}</td><td>${d.next_attempt_at ? time(d.next_attempt_at) : html`<span class="hint">None</span>`}</td></tr>`,
  );
  return html`<div class="table-wrap"><table><caption class="visually-hidden">Status updates, newest first</caption>
<thead><tr><th scope="col">Status sent</th><th scope="col">To</th><th scope="col">Delivery</th><th scope="col">Attempts (newest first)</th><th scope="col">Next attempt</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

function outboxTable(messages: HppDistributionsTable[]): SafeHtml {
  if (messages.length === 0) return html`<p class="empty">No links distributed yet. Nothing is ever sent: links "sent" by e-mail or SMS are kept here.</p>`;
  const rows = messages.map((m) => {
    const contact = JSON.parse(m.contact_information) as { email?: string; phone?: string };
    return html`<tr><td>${time(m.created_at)}</td><td>${m.method === 'email' ? 'E-mail' : 'SMS'}</td><td>${m.method === 'email' ? contact.email : contact.phone}</td>
<td><a href="${m.link}">${m.link}</a></td></tr>`;
  });
  return html`<div class="table-wrap"><table><caption class="visually-hidden">Outbox, newest first</caption>
<thead><tr><th scope="col">Recorded</th><th scope="col">Method</th><th scope="col">To</th><th scope="col">Link</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

export function payByLinkPage(view: PayByLinkView): string {
  return page({
    title: 'Pay by link',
    viewer: view.viewer,
    section: 'pay-by-link',
    sections: view.sections,
    body: html`<h1>Pay by link</h1>
<section class="card" aria-labelledby="sessions-title"><h2 id="sessions-title">Sessions</h2>${sessionsTable(view.sessions)}</section>
<section class="card" aria-labelledby="updates-title"><h2 id="updates-title">Status updates</h2>${deliveriesTable(view.deliveries)}</section>
<section class="card" aria-labelledby="outbox-title"><h2 id="outbox-title">Outbox</h2>${outboxTable(view.messages)}</section>`,
  });
}
