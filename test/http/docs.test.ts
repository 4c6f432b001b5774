// /docs (Swagger UI) is loaded on its first request, not at start (src/http/docs.ts), and answers
// through the app as when it was registered in it: GET and HEAD alike, redirects without a body,
// conditional requests, and this app's 404 NOT_FOUND for a path it does not have.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { call, describeOnBothStores, errorOf, startTestApp } from '../support/harness.js';

const loadedModules = () => Object.keys(createRequire(import.meta.url).cache);
const swaggerUiLoaded = () => loadedModules().some((file) => file.includes('@fastify/swagger-ui'));

// First in the file: no app of this process has served /docs yet.
describe('/docs, loaded when first asked for', () => {
  it('is not loaded at start, and is once /docs is asked for', async () => {
    const t = await startTestApp('sqlite');
    try {
      assert.ok(loadedModules().some((file) => file.includes('fastify')), 'the module cache is not where CommonJS packages are');
      assert.equal(swaggerUiLoaded(), false);
      assert.equal((await call(t, { method: 'GET', url: '/docs' })).statusCode, 200);
      assert.equal(swaggerUiLoaded(), true);
    } finally {
      await t.close();
    }
  });
});

describeOnBothStores('/docs answers through the app', (ctx) => {
  it('GET and HEAD, a redirect, a conditional request and an unknown path answer as before', async () => {
    const css = await ctx().app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css' });
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers['content-type']), /^text\/css/);
    const head = await ctx().app.inject({ method: 'HEAD', url: '/docs/static/swagger-ui.css' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], css.headers['content-length']);
    assert.equal(head.body, '');
    const notModified = await ctx().app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css', headers: { 'if-none-match': String(css.headers.etag) } });
    assert.equal(notModified.statusCode, 304);
    const redirect = await ctx().app.inject({ method: 'GET', url: '/docs/static/index.html' });
    assert.equal(redirect.statusCode, 302);
    assert.equal(redirect.headers['content-type'], undefined);
    const json = await ctx().app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(json.json().openapi, (await ctx().app.inject({ method: 'GET', url: '/openapi.json' })).json().openapi);
    for (const url of ['/docs/nothing', '/docs/static/nope.js', '/docs/static/../../package.json']) {
      const res = await call(ctx(), { method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
      assert.equal(errorOf(res).error_code, 'NOT_FOUND');
    }
  });
});
