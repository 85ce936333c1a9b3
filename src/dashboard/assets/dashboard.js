/* hubwatch dashboard: progressive enhancement only. Every control is a link or a GET form that works without
   this file; with it, the chosen page is fetched and its <main> swapped in, and the address bar follows, so the
   URL still reproduces what is shown. Anything unexpected falls back to ordinary navigation. */
(function () {
  'use strict';
  if (!window.fetch || !window.DOMParser || !window.history || !history.pushState) return;
  var live = document.getElementById('live');
  var busy = 0;

  function focusTarget(main, hint) {
    if (hint && hint.group) {
      var g = main.querySelector('[aria-labelledby="' + hint.group + '"]');
      var cur = g && g.querySelector('a[aria-current]');
      if (cur) return cur;
    }
    if (hint && hint.form) {
      var f = main.querySelector('form[data-swap] [name="' + hint.form + '"]');
      if (f) return f;
    }
    return main;
  }

  function swap(url, push, hint) {
    var token = ++busy;
    document.documentElement.setAttribute('aria-busy', 'true');
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (r) {
        if (!r.ok || (r.headers.get('content-type') || '').indexOf('text/html') !== 0)
          throw new Error('status ' + r.status);
        return r.text();
      })
      .then(function (html) {
        if (token !== busy) return;
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var next = doc.getElementById('main');
        var cur = document.getElementById('main');
        if (!next || !cur) throw new Error('no main');
        var node = document.importNode(next, true);
        cur.parentNode.replaceChild(node, cur);
        document.title = doc.title;
        var nav = doc.querySelector('header nav');
        var mine = document.querySelector('header nav');
        if (nav && mine) mine.parentNode.replaceChild(document.importNode(nav, true), mine);
        if (push) history.pushState({ hubwatch: true }, '', url);
        var h1 = node.querySelector('h1');
        if (live) live.textContent = h1 ? 'Showing: ' + h1.textContent : '';
        var t = focusTarget(node, hint);
        if (t && t.focus) t.focus({ preventScroll: true });
      })
      .catch(function () {
        if (token === busy) window.location.assign(url);
      })
      .then(function () {
        if (token === busy) document.documentElement.removeAttribute('aria-busy');
      });
  }

  document.addEventListener('click', function (ev) {
    var el = ev.target;
    var a = el && el.closest ? el.closest('a[data-swap]') : null;
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    if (a.origin !== window.location.origin) return;
    ev.preventDefault();
    var group = a.closest('[role="group"]');
    swap(a.href, true, { group: group ? group.getAttribute('aria-labelledby') : null });
  });

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form || !form.matches || !form.matches('form[data-swap]') || (form.method || 'get').toLowerCase() !== 'get')
      return;
    ev.preventDefault();
    var params = new URLSearchParams();
    new FormData(form).forEach(function (v, k) {
      if (typeof v === 'string' && v !== '') params.append(k, v);
    });
    var q = params.toString();
    var url = new URL(form.action, window.location.href);
    url.search = q ? '?' + q : '';
    var active = document.activeElement;
    swap(url.href, true, { form: active && active.name ? active.name : null });
  });

  // Filters apply as soon as one changes (the submit button stays for keyboard and no-script use).
  document.addEventListener('change', function (ev) {
    var el = ev.target;
    var form = el && el.form;
    if (form && form.matches('form[data-swap]') && el.tagName === 'SELECT') {
      if (form.requestSubmit) form.requestSubmit();
    }
  });

  window.addEventListener('popstate', function () {
    swap(window.location.href, false, null);
  });
})();
