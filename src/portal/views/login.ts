import { html } from '../../html.js';
import { page } from './layout.js';
import { portalPaths } from '../paths.js';

export interface LoginView {
  loginToken: string;
  username?: string;
  error?: string;
}

export function loginPage(view: LoginView): string {
  return page({
    title: 'Log in',
    body: html`<div class="login card">
<h1>Merchant portal</h1>
${view.error ? html`<div class="notice error" role="alert" id="login-error">${view.error}</div>` : ''}
<form method="post" action="${portalPaths.login}">
  <input type="hidden" name="login_token" value="${view.loginToken}">
  <div class="field"><label for="username">Username</label>
    <input id="username" name="username" autocomplete="username" required maxlength="200" value="${view.username ?? ''}"${view.error ? html` aria-describedby="login-error"` : ''}></div>
  <div class="field"><label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1000"></div>
  <button type="submit">Log in</button>
</form>
<p class="hint">The username and password are the merchant's API credentials.</p>
</div>`,
  });
}
