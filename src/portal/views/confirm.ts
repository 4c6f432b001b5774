// The confirmation step of an action: what will happen, and a "Confirm" button whose form carries
// the CSRF token and whatever the action needs (an order action's amount in minor units, the order
// version it is bound to, and the idempotency key made when this page was rendered).
import { html, type SafeHtml } from '../../html.js';
import { csrfField, page, type Section, type Viewer } from './layout.js';

export interface ConfirmView {
  viewer: Viewer;
  sections: readonly Section[];
  section: Section;
  title: string;
  /** What confirming will do, in words. */
  question: string;
  /** More about it (e.g. the new expiry), if any. */
  detail?: SafeHtml | string;
  /** Where "Confirm" posts to. */
  action: string;
  /** Hidden fields the post carries besides the CSRF token; undefined ones are left out. */
  fields?: Record<string, string | undefined>;
  /** The way back without doing anything. */
  back: { href: string; text: string };
  /** A destructive action gets a red button. */
  danger?: boolean;
}

export function confirmPage(view: ConfirmView): string {
  const hidden = Object.entries(view.fields ?? {}).filter((f): f is [string, string] => f[1] !== undefined);
  return page({
    title: view.title,
    viewer: view.viewer,
    section: view.section,
    sections: view.sections,
    body: html`<div class="confirm card">
<h1>${view.title}</h1>
<p>${view.question}</p>
${view.detail ? html`<p class="hint">${view.detail}</p>` : ''}
<form method="post" action="${view.action}">
  ${csrfField(view.viewer)}
  ${hidden.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
  <div class="buttons"><button type="submit"${view.danger ? html` class="danger"` : ''}>Confirm</button>
  <a href="${view.back.href}">${view.back.text}</a></div>
</form></div>`,
  });
}
