// The drop-in api.js (CONTRACT §14): what a merchant page that embeds Klarna's JavaScript gets when
// its script tag points at OpenOM instead, Klarna.Payments with init, load and authorize. authorize
// opens the session's hosted test page in an overlay frame and calls back with what the shopper
// chose there ({approved, authorization_token, show_form}), as Klarna's widget does. Plain ES5 in
// one string, so any merchant page can load it and nothing is built or downloaded.
export const DROP_IN_SCRIPT = `/* OpenOM sandbox: a stand-in for Klarna's Payments JavaScript (https://x.klarnacdn.net/kp/lib/v1/api.js). */
(function () {
  'use strict';
  var PATH = /\\/sandbox\\/payments\\/lib\\/v1\\/api\\.js(\\?.*)?$/;
  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(PATH, '') : '';
  var sessionId = null;

  function sessionOf(clientToken) {
    try {
      var part = String(clientToken).split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(part)).session_id || null;
    } catch (e) {
      return null;
    }
  }

  /** Klarna's calls take (options, data, callback) with data and even options optional. */
  function callArgs(args) {
    var list = Array.prototype.slice.call(args);
    var callback = typeof list[list.length - 1] === 'function' ? list.pop() : function () {};
    return { options: list[0] || {}, data: list[1] || {}, callback: callback };
  }

  function containerOf(options) {
    var c = options.container;
    if (typeof c === 'string') return document.querySelector(c);
    return c && c.nodeType === 1 ? c : null;
  }

  function later(callback, value) {
    setTimeout(function () { callback(value); }, 0);
  }

  function requireSession(name) {
    if (!sessionId) throw new Error('Klarna.Payments.' + name + ': call Klarna.Payments.init({ client_token }) first');
  }

  function openTestPage(callback) {
    var overlay = document.createElement('div');
    overlay.setAttribute('data-openom', 'overlay');
    overlay.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.45);display:flex;flex-direction:column;align-items:center;justify-content:center';
    var frame = document.createElement('iframe');
    frame.title = 'OpenOM test payment';
    frame.src = base + '/sandbox/payments/' + encodeURIComponent(sessionId);
    frame.style.cssText = 'width:min(32rem,95vw);height:min(40rem,80vh);border:0;border-radius:.5rem;background:#fff';
    var cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.textContent = 'Close';
    cancel.style.cssText = 'margin-top:.75rem;font:inherit;padding:.5rem 1rem';
    overlay.appendChild(frame);
    overlay.appendChild(cancel);
    var done = false;
    function finish(result) {
      if (done) return;
      done = true;
      window.removeEventListener('message', onMessage);
      overlay.parentNode && overlay.parentNode.removeChild(overlay);
      callback(result);
    }
    function onMessage(event) {
      var message = event.data;
      if (event.source !== frame.contentWindow || !message || message.type !== 'openom:payments:authorization') return;
      if (message.session_id !== sessionId) return;
      finish(message.result);
    }
    window.addEventListener('message', onMessage);
    // Closing the test page without an answer is Klarna's "the shopper closed the widget".
    cancel.addEventListener('click', function () { finish({ approved: false, show_form: true }); });
    document.body.appendChild(overlay);
  }

  var Payments = {
    init: function (options) {
      sessionId = sessionOf(options && options.client_token);
      if (!sessionId) throw new Error('Klarna.Payments.init: client_token is not a client token of this OpenOM sandbox');
    },
    load: function () {
      var a = callArgs(arguments);
      requireSession('load');
      var container = containerOf(a.options);
      if (container) {
        var box = document.createElement('div');
        box.setAttribute('data-openom', 'widget');
        box.textContent = 'OpenOM test payment (' + (a.options.payment_method_category || 'klarna') + '): you choose the outcome when you pay.';
        box.style.cssText = 'padding:.75rem;border:1px dashed #767676;border-radius:.375rem';
        container.innerHTML = '';
        container.appendChild(box);
      }
      later(a.callback, { show_form: true });
    },
    authorize: function () {
      var a = callArgs(arguments);
      requireSession('authorize');
      openTestPage(a.callback);
    },
  };

  window.Klarna = window.Klarna || {};
  window.Klarna.Payments = Payments;
  if (typeof window.klarnaAsyncCallback === 'function') later(window.klarnaAsyncCallback);
})();
`;

/** The badge the payment method categories' asset_urls name: the sandbox's own, loaded from nowhere else. */
export const BADGE_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="24" viewBox="0 0 96 24"><rect width="96" height="24" rx="4" fill="#ffb3c7"/><text x="48" y="16" font-family="sans-serif" font-size="11" text-anchor="middle" fill="#17120f">OpenOM test</text></svg>';
