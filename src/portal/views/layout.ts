// The frame of every portal page: landmarks (header, nav, main), a skip link, the merchant and
// "Log out", and in sandbox mode the merchant's clock with its "Advance clock" control.
import { html, type HtmlValue, type SafeHtml } from '../../html.js';
import { STYLESHEET_PATH } from '../styles.js';
import { duration, time } from './formats.js';
import { portalPaths } from '../paths.js';

export interface Viewer {
  merchantName: string;
  username: string;
  csrfToken: string;
  /** The merchant's clock; only in sandbox mode. */
  clock?: { now: Date; offsetSeconds: number };
  /** This page's path and query, where "Advance clock" comes back to. */
  path: string;
}

export type Section = 'orders' | 'webhooks' | 'pay-by-link' | 'tokens' | 'payouts';

export const csrfField = (viewer: Viewer) => html`<input type="hidden" name="csrf_token" value="${viewer.csrfToken}">`;

function clockBar(viewer: Viewer): SafeHtml {
  const clock = viewer.clock;
  if (!clock) return html``;
  return html`<section class="clock" aria-labelledby="clock-title"><div class="bar">
  <h2 id="clock-title" class="visually-hidden">Sandbox clock</h2>
  <p class="clock-now"><strong>Sandbox clock:</strong> ${time(clock.now)}
  <span class="hint">(${clock.offsetSeconds === 0 ? 'real time' : `${duration(clock.offsetSeconds)} ahead of real time`})</span></p>
  <form method="post" action="${portalPaths.clockAdvance}">
    ${csrfField(viewer)}<input type="hidden" name="return_to" value="${viewer.path}">
    <label for="clock-amount">Advance clock by</label>
    <input id="clock-amount" name="amount" type="number" min="1" step="1" required inputmode="numeric" value="1">
    <label for="clock-unit" class="visually-hidden">Unit</label>
    <select id="clock-unit" name="unit"><option value="days">days</option><option value="hours">hours</option><option value="seconds">seconds</option></select>
    <button type="submit" class="secondary">Advance clock</button>
  </form>
</div></section>`;
}

function navigation(viewer: Viewer, section: Section | undefined, sections: readonly Section[]): SafeHtml {
  const names: Record<Section, string> = { orders: 'Orders', webhooks: 'Webhooks', 'pay-by-link': 'Pay by link', tokens: 'Tokens', payouts: 'Payouts' };
  return html`<header class="top"><div class="bar">
  <a class="brand" href="${portalPaths.orders}">OpenOM</a>
  <nav aria-label="Portal"><ul>${sections.map(
    (s) => html`<li><a href="${portalPaths.section(s)}"${section === s ? html` aria-current="page"` : ''}>${names[s]}</a></li>`,
  )}</ul></nav>
  <div class="who"><span>${viewer.merchantName} <span class="on-dark">(${viewer.username})</span></span>
    <form method="post" action="${portalPaths.logout}">${csrfField(viewer)}<button type="submit" class="link">Log out</button></form>
  </div>
</div></header>`;
}

export interface PageOptions {
  title: string;
  viewer?: Viewer;
  section?: Section;
  /** The sections this instance has (webhooks only where that page exists). */
  sections?: readonly Section[];
  body: HtmlValue;
}

export function page(options: PageOptions): string {
  const { viewer } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · OpenOM merchant portal</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
${viewer ? [navigation(viewer, options.section, options.sections ?? ['orders']), clockBar(viewer)] : html`<header class="top"><div class="bar"><span class="brand">OpenOM</span></div></header>`}
<main id="main" tabindex="-1">
${options.body}
</main>
</body>
</html>`.text;
}
