import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { html } from './html.js';

describe('html templates', () => {
  it('escapes every interpolated value, in content and in attributes', () => {
    const evil = `"><script>alert('x')</script>&`;
    assert.equal(html`<p title="${evil}">${evil}</p>`.text, '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>');
  });

  it('inserts nested templates as they are, escapes arrays item by item, and renders nothing for null, undefined and false', () => {
    const items = ['<a>', html`<b>${'<c>'}</b>`];
    assert.equal(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.text, '<ul>&lt;a&gt;<b>&lt;c&gt;</b></ul>0');
  });
});
