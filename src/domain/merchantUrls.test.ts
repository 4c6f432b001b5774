import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { merchantUrlProblem, percentEncodeUnsafe, sendableUrl } from './merchantUrls.js';

describe('merchant URLs', () => {
  it('refuses user info (even empty), other schemes, relative URLs and control characters', () => {
    for (const url of ['http://user:pass@shop.example/', 'https://user@shop.example/', 'http://@shop.example/', 'https://:pw@shop.example/x']) {
      assert.equal(merchantUrlProblem(url), 'must not contain user info (user:password@)', url);
    }
    assert.equal(merchantUrlProblem('ftp://shop.example/'), 'must be an http or https URL');
    assert.equal(merchantUrlProblem('javascript:alert(1)'), 'must be an http or https URL');
    assert.equal(merchantUrlProblem('shop.example/hooks'), 'must be an absolute http or https URL');
    assert.equal(merchantUrlProblem('https://shop.example/a\r\nb'), 'must not contain control characters or unpaired surrogates');
    assert.equal(merchantUrlProblem('https://shop.example/\ud800'), 'must not contain control characters or unpaired surrogates');
    // An @ in the path or query is no user info.
    assert.equal(merchantUrlProblem('https://shop.example/u/a@b?mail=a@b'), undefined);
    assert.equal(merchantUrlProblem('https://shop.example/спасибо?sid={checkout.order.id}'), undefined);
  });

  it('percent-encodes non-ASCII, spaces and line separators as UTF-8 and writes the host in its IDNA form; ASCII URLs are unchanged', () => {
    assert.equal(sendableUrl('https://shop.example/café?x=€ y#ö'), 'https://shop.example/caf%C3%A9?x=%E2%82%AC%20y#%C3%B6');
    assert.equal(sendableUrl('https://shop.example/a\u2028b'), 'https://shop.example/a%E2%80%A8b');
    assert.equal(sendableUrl('HTTPS://Bücher.Example:8443/x'), 'https://xn--bcher-kva.example:8443/x');
    assert.equal(sendableUrl('https://shop.example/thanks?sid={checkout.order.id}'), 'https://shop.example/thanks?sid={checkout.order.id}');
    const once = sendableUrl('https://shop.example/спасибо');
    assert.equal(sendableUrl(once), once);
  });

  it('percentEncodeUnsafe leaves printable ASCII alone and never throws on lone surrogates', () => {
    assert.equal(percentEncodeUnsafe('/portal/orders?q=a%20b'), '/portal/orders?q=a%20b');
    assert.equal(percentEncodeUnsafe('/portal/x\r\n'), '/portal/x%0D%0A');
    assert.equal(percentEncodeUnsafe('/portal/\ud800'), '/portal/%EF%BF%BD');
  });
});
