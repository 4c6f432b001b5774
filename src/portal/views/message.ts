// A page that only says something: not found, refused, too many attempts, unavailable.
import { html } from '../../html.js';
import { page, type Section, type Viewer } from './layout.js';
import { portalPaths } from '../paths.js';

export function messagePage(title: string, message: string, viewer?: Viewer, sections?: readonly Section[]): string {
  return page({
    title,
    viewer,
    sections,
    body: html`<h1>${title}</h1>
<div class="card"><p>${message}</p><p><a href="${viewer ? portalPaths.orders : portalPaths.login}">${viewer ? 'Go to the orders' : 'Go to the login page'}</a></p></div>`,
  });
}
