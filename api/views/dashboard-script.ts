/**
 * The dashboard's only script, served as `/assets/dashboard.js` (the pages' CSP forbids
 * inline script). Plain ES5-style browser code in a string: it needs no bundler, and it
 * builds every node with `textContent`, never `innerHTML`, so log lines and errors stay text.
 * - `[data-log-stream]`: an EventSource on the logs endpoint. The browser resends the last
 *   event id (the log cursor) on reconnect, so a dropped connection loses and repeats nothing.
 * - `[data-status-url]`: polls the bulk's JSON status and refreshes the account rows.
 */
export const DASHBOARD_SCRIPT = String.raw`(function () {
  'use strict';
  var FINISHED = { completed: 1, partially_failed: 1, failed: 1, cancelled: 1 };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function badge(status) { return el('span', status, 'status status-' + status); }
  function isWebUrl(u) { return typeof u === 'string' && /^https?:\/\//i.test(u); }

  var box = document.querySelector('[data-log-stream]');
  if (box && window.EventSource) {
    var body = box.querySelector('tbody');
    var state = box.querySelector('[data-log-state]');
    var showAccount = box.getAttribute('data-show-account') === '1';
    var source = new EventSource(box.getAttribute('data-log-stream'));
    source.addEventListener('log', function (ev) {
      var e = JSON.parse(ev.data);
      if (body.querySelector('tr[data-id="' + e.id + '"]')) return;
      var row = el('tr', null, 'lvl-' + e.level);
      row.setAttribute('data-id', e.id);
      row.appendChild(el('td', String(e.time).slice(11, 19), 'muted'));
      row.appendChild(el('td', e.level));
      if (showAccount) row.appendChild(el('td', e.accountId || ''));
      row.appendChild(el('td', e.message, 'msg'));
      var atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
      body.appendChild(row);
      if (atBottom) box.scrollTop = box.scrollHeight;
      if (state) state.textContent = 'live';
    });
    source.addEventListener('done', function () {
      source.close();
      if (state) state.textContent = 'bulk finished; log complete';
    });
    source.onerror = function () { if (state && source.readyState !== 2) state.textContent = 'reconnecting…'; };
  }

  var statusHolder = document.querySelector('[data-status-url]');
  if (statusHolder) {
    var url = statusHolder.getAttribute('data-status-url');
    var timer = setInterval(function () {
      fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) return;
          var cancelled = 0;
          s.accounts.forEach(function (a) {
            if (a.status === 'cancelled') cancelled++;
            var row = document.querySelector('tr[data-account="' + CSS.escape(a.accountId) + '"]');
            if (!row) return;
            var cell = function (name) { return row.querySelector('[data-field="' + name + '"]'); };
            var st = cell('status'); st.textContent = ''; st.appendChild(badge(a.status));
            cell('currentStep').textContent = a.currentStep || '';
            var posts = cell('posts'); posts.textContent = '';
            a.videos.forEach(function (v) {
              if (!isWebUrl(v.postUrl)) return;
              var link = el('a', v.videoId); link.href = v.postUrl; link.target = '_blank'; link.rel = 'noopener';
              posts.appendChild(link); posts.appendChild(document.createTextNode(' '));
            });
            var err = cell('error'); if (!err.querySelector('a')) err.textContent = a.error || '';
          });
          var done = s.completed + s.failed + cancelled;
          var bar = statusHolder.querySelector('[data-field="progress"]');
          bar.value = done; bar.max = Math.max(s.total, 1);
          statusHolder.querySelector('[data-field="counts"]').textContent =
            done + '/' + s.total + ' done · ' + s.completed + ' completed · ' + s.failed + ' failed · ' + s.running + ' running';
          if (FINISHED[s.status]) clearInterval(timer);
        })
        .catch(function () { /* the next tick tries again */ });
    }, 2000);
  }
})();
`;
