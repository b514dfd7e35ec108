/**
 * The dashboard's only script, served as `/assets/dashboard.js` (the pages' CSP forbids
 * inline script). Plain ES5-style browser code in a string: it needs no bundler, and it
 * builds every node with `textContent`, never `innerHTML`, so log lines and errors stay text.
 * - `[data-log-stream]`: an EventSource on the logs endpoint. The browser resends the last
 *   event id (the log cursor) on reconnect, so a dropped connection loses and repeats nothing.
 * - `[data-status-url]`: polls the bulk's JSON status and refreshes the page from it: the
 *   heading's badge, the account rows, the bar and counts, and which of cancel and retry is
 *   offered. The stream's `done` triggers one more refresh at once, so the page shows the
 *   end without waiting for the next poll or a reload.
 * The rules it shares with the server-rendered pages (finished statuses, bar parts) are
 * written into it from their TypeScript definitions.
 */
import { FINISHED_TASK_STATUSES } from '../../contracts/statuses';
import { PROGRESS_PARTS } from './layout';

const finishedJson = JSON.stringify(Object.fromEntries(FINISHED_TASK_STATUSES.map((s) => [s, 1])));

export const DASHBOARD_SCRIPT = String.raw`(function () {
  'use strict';
  var FINISHED = ${finishedJson};
  var PARTS = ${JSON.stringify(PROGRESS_PARTS)};

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function badge(status) { return el('span', status, 'status status-' + status); }
  function isWebUrl(u) { return typeof u === 'string' && /^https?:\/\//i.test(u); }

  // Mirrors progressLabel and progressWidth in layout.tsx.
  function progressLabel(c) {
    var parts = PARTS.filter(function (p) { return c[p] > 0; }).map(function (p) { return c[p] + ' ' + p; });
    return parts.length ? parts.join(', ') + ' of ' + c.total : '0 of ' + c.total + ' done';
  }
  function progressWidth(n, total) { return (total > 0 ? Math.round((n / total) * 1000) / 10 : 0) + '%'; }

  var statusHolder = document.querySelector('[data-status-url]');
  var refreshStatus = null;
  if (statusHolder) {
    var url = statusHolder.getAttribute('data-status-url');
    var accounts = document.querySelector('[data-accounts]');
    var accountLogUrl = accounts ? accounts.getAttribute('data-account-log-url') : null;
    var timer = null;

    // A row for an account registered after the page was rendered.
    var addRow = function (accountId) {
      var row = el('tr');
      row.setAttribute('data-account', accountId);
      var name = el('td');
      var link = el('a', accountId); link.href = accountLogUrl + encodeURIComponent(accountId);
      name.appendChild(link);
      row.appendChild(name);
      ['status', 'currentStep', 'posts', 'error'].forEach(function (field) {
        var td = el('td', null, field === 'error' ? 'error' : null);
        td.setAttribute('data-field', field);
        row.appendChild(td);
      });
      row.appendChild(el('td'));
      accounts.querySelector('tbody').appendChild(row);
      return row;
    };

    var render = function (s) {
      var heading = document.querySelector('h1 [data-field="status"]');
      if (heading) { heading.textContent = s.status; heading.className = 'status status-' + s.status; }
      var counts = { total: s.total, completed: s.completed, failed: s.failed, cancelled: 0, running: s.running };
      s.accounts.forEach(function (a) {
        if (a.status === 'cancelled') counts.cancelled++;
        var row = document.querySelector('tr[data-account="' + CSS.escape(a.accountId) + '"]');
        if (!row && accounts) row = addRow(a.accountId);
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
      var bar = statusHolder.querySelector('[data-field="progress"]');
      var label = progressLabel(counts);
      bar.setAttribute('aria-label', label); bar.title = label;
      PARTS.forEach(function (p) { bar.querySelector('[data-part="' + p + '"]').style.width = progressWidth(counts[p], counts.total); });
      var done = counts.completed + counts.failed + counts.cancelled;
      statusHolder.querySelector('[data-field="counts"]').textContent =
        done + '/' + s.total + ' done · ' + s.completed + ' completed · ' + s.failed + ' failed · ' + counts.cancelled + ' cancelled · ' + s.running + ' running';
      var finished = Boolean(FINISHED[s.status]);
      var cancel = document.querySelector('[data-action="cancel"]');
      var retry = document.querySelector('[data-action="retry"]');
      if (cancel) cancel.hidden = finished;
      if (retry) retry.hidden = !finished || s.status === 'completed';
      if (finished) clearInterval(timer);
    };

    refreshStatus = function () {
      fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) { if (s) render(s); })
        .catch(function () { /* the next tick tries again */ });
    };
    timer = setInterval(refreshStatus, 2000);
  }

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
      // The bulk has ended: every status is final now, so show it rather than wait for a poll.
      if (refreshStatus) refreshStatus();
    });
    source.onerror = function () { if (state && source.readyState !== 2) state.textContent = 'reconnecting…'; };
  }
})();
`;
