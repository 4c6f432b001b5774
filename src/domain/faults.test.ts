import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideFault, defaultFaultErrorCode, faultPathMatches, isFaultablePath } from './faults.js';

describe('sandbox fault rules', () => {
  it('`*` matches exactly one non-empty segment; other segments must be equal', () => {
    const pattern = '/ordermanagement/v1/orders/*/captures';
    assert.equal(faultPathMatches(pattern, '/ordermanagement/v1/orders/abc/captures'), true);
    assert.equal(faultPathMatches(pattern, '/ordermanagement/v1/orders//captures'), false);
    assert.equal(faultPathMatches(pattern, '/ordermanagement/v1/orders/a/b/captures'), false);
    assert.equal(faultPathMatches(pattern, '/ordermanagement/v1/orders/abc/captures/'), false);
    assert.equal(faultPathMatches(pattern, '/ordermanagement/v1/orders/abc/refunds'), false);
    assert.equal(faultPathMatches('/ordermanagement/v1/orders/*', '/ordermanagement/v1/orders/abc'), true);
    assert.equal(faultPathMatches('/ordermanagement/v1/orders/ABC', '/ordermanagement/v1/orders/abc'), false);
  });

  it('only the Order Management, Checkout and Klarna Payments APIs can be faulted', () => {
    for (const path of ['/ordermanagement/v1/orders', '/ordermanagement/v1/orders/*', '/checkout/v3', '/checkout/v3/orders', '/payments/v1', '/payments/v1/authorizations/*/order']) assert.equal(isFaultablePath(path), true, path);
    for (const path of ['/sandbox/v1', '/sandbox/v1/faults', '/admin/v1/merchants', '/ordermanagementx/v1', '/*/v1/orders', '/', '/health/ready']) {
      assert.equal(isFaultablePath(path), false, path);
    }
  });

  it('error codes default by status, with the refusal that fits the path', () => {
    const captures = '/ordermanagement/v1/orders/*/captures';
    assert.equal(defaultFaultErrorCode(403, captures), 'CAPTURE_NOT_ALLOWED');
    assert.equal(defaultFaultErrorCode(403, '/ordermanagement/v1/orders/*/cancel'), 'NOT_ALLOWED');
    assert.equal(defaultFaultErrorCode(404, '/ordermanagement/v1/orders/*'), 'NO_SUCH_ORDER');
    assert.equal(defaultFaultErrorCode(404, '/checkout/v3/orders'), 'NOT_FOUND');
    assert.equal(defaultFaultErrorCode(409, captures), 'BAD_VALUE');
    assert.equal(defaultFaultErrorCode(501, captures), 'INTERNAL_SERVER_ERROR');
    assert.equal(defaultFaultErrorCode(504, captures), 'SERVICE_UNAVAILABLE');
  });

  it('a fault is kept with its method upper-case and its defaults resolved', () => {
    const d = decideFault({ method: 'post', path: '/checkout/v3/orders', status: 0, delay_ms: 50 }, 20_000);
    assert.deepEqual(d, { ok: true, value: { method: 'POST', path: '/checkout/v3/orders', status: 0, error_code: null, delay_ms: 50, times: 1 } });
  });
});
