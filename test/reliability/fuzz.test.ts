// Fuzzing every route over HTTP (issue 5, item 7): 10,000 generated requests in CI, with broken
// bodies, headers, credentials and paths. Never a 5xx, every error is the Klarna error body with
// the request's correlation id, and a refused request leaves the store byte-for-byte unchanged.
// Longer runs: npm run fuzz -- --runs 100000 [--seed N] [--postgres]
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMerchant, startTestApp } from '../support/harness.js';
import { runFuzz } from './fuzz.js';

const RUNS = Number(process.env.OPENOM_FUZZ_RUNS || 10_000);

describe('fuzzing: every route, hostile input', () => {
  it(`${RUNS} generated requests: never a 5xx, always the Klarna error body, refused requests change nothing`, async () => {
    const figures = await runFuzz({ runs: RUNS, log: (line) => console.log(line) });
    assert.equal(figures.cases, RUNS);
    assert.equal(figures.fiveHundreds, 0);
    // The generators must reach the handlers, not just the auth wall: some requests succeed.
    const ok = Object.entries(figures.byStatus).filter(([s]) => Number(s) < 300).reduce((n, [, c]) => n + c, 0);
    assert.ok(ok > RUNS * 0.05, `only ${ok} requests got past validation`);
  });
});

// URLs Fastify's router judges before any hook runs (a malformed %-escape, a very long id).
describe('URLs the router rejects itself', () => {
  for (const url of ['/ordermanagement/v1/orders/%E0%A4%A', `/ordermanagement/v1/orders/${'a'.repeat(101)}`]) {
    it(`${url.slice(0, 60)}… gets the Klarna error body with its correlation id`, async () => {
      const t = await startTestApp('sqlite');
      try {
        const m = await createMerchant(t);
        const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Basic ${Buffer.from(`${m.username}:${m.password}`).toString('base64')}` } });
        assert.ok(res.statusCode < 500);
        const body = res.json() as { correlation_id?: string; error_code?: string };
        assert.equal(typeof body.error_code, 'string', res.body);
        assert.equal(body.correlation_id, res.headers['klarna-correlation-id']);
      } finally {
        await t.close();
      }
    });
  }
});
