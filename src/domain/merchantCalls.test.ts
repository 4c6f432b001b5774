import assert from 'node:assert/strict';
import { it } from 'node:test';
import { merchantUrlFor, redactedUrl } from './merchantCalls.js';

it('a shown URL loses its user and password and the values of parameters named like secrets, and keeps the rest', () => {
  assert.equal(redactedUrl('https://user:pw@shop.example/push?sid=42&token=abc&api_key=k&page=2'), 'https://shop.example/push?sid=42&token=redacted&api_key=redacted&page=2');
  assert.equal(redactedUrl('https://shop.example/hooks'), 'https://shop.example/hooks');
  assert.equal(redactedUrl('not a url?secret=1'), 'not a url');
});

it('the order id placeholder is filled wherever it stands', () => {
  assert.equal(merchantUrlFor('https://shop.example/push?sid={checkout.order.id}&again={checkout.order.id}', 'o1'), 'https://shop.example/push?sid=o1&again=o1');
});
