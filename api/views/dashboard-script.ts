/**
 * The dashboard's common script, served first in `/assets/dashboard.js` (the pages' CSP
 * forbids inline script). Plain ES5-style browser code in a string: it needs no bundler, and
 * it builds every node with `textContent`, never `innerHTML`, so log lines and errors stay text.
 * - The top defines, for every page's script, `window.clipfleet.msg` (the page's messages
 *   from `<body data-messages>`) and `statusName`, and keeps the operator's zone in a cookie.
 * - `[data-log-stream]`: an EventSource on the logs endpoint, which pushes each line as it is
 *   written. The browser resends the last event id (the log cursor) on reconnect, so a
 *   dropped connection loses and repeats nothing.
 * - `[data-status-url]` (the bulk page): refreshes the page from the bulk's JSON status every
 *   few seconds, and sooner when a log line arrives (a step's status travels with its line):
 *   the heading's badges, the account rows, the bar and counts, which of pause/resume,
 *   cancel and retry is offered, and the plan (`[data-plan]`: its posts by day in the bulk's
 *   zone, their times, states and move forms; a move form being typed in is left alone).
 *   While accounts run it also reads `[data-progress-url]` every second: how far each is
 *   into its render or upload. The stream's `done` triggers one more refresh at once.
 * - The bulk page's forms (`[data-action]`) are sent with `fetch` to the same API routes
 *   (JSON, or the form's fields for a new time), the answer shown in place.
 * - `[data-preview]`: the variant preview dialog, opened from a row's Preview button.
 * The rules it shares with the server-rendered pages (finished statuses, bar parts) are
 * written into it from their TypeScript definitions.
 */
import { FINISHED_TASK_STATUSES } from '../../contracts/statuses';
import { TIME_ZONE_COOKIE } from '../i18n';
import { PROGRESS_PARTS } from './layout';

const finishedJson = JSON.stringify(Object.fromEntries(FINISHED_TASK_STATUSES.map((s) => [s, 1])));

export const DASHBOARD_SCRIPT = String.raw`(function () {
  'use strict';
  var FINISHED = ${finishedJson};
  var PARTS = ${JSON.stringify(PROGRESS_PARTS)};

  // The operator's time zone, for the server to render times in (a cookie, read on the next page).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf(${JSON.stringify(TIME_ZONE_COOKIE + '=')} + encodeURIComponent(zone)) < 0) {
      document.cookie = ${JSON.stringify(TIME_ZONE_COOKIE + '=')} + encodeURIComponent(zone) + '; path=/; max-age=31536000; samesite=lax';
    }
  } catch (e) { /* no Intl zone: times stay in UTC */ }

  // The page's messages for scripts (api/i18n: keys with a ".js." segment), in its language.
  var MESSAGES = {};
  try { MESSAGES = JSON.parse(document.body.getAttribute('data-messages') || '{}'); } catch (e) { MESSAGES = {}; }
  function msg(key, params) {
    var text = Object.prototype.hasOwnProperty.call(MESSAGES, key) ? MESSAGES[key] : key;
    return text.replace(/\{(\w+)\}/g, function (whole, name) { return params && params[name] !== undefined ? String(params[name]) : whole; });
  }
  function statusName(status) { var key = 'common.js.status.' + status; return Object.prototype.hasOwnProperty.call(MESSAGES, key) ? MESSAGES[key] : status; }
  window.clipfleet = { msg: msg, statusName: statusName };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function badge(status) { var b = el('span', statusName(status), 'status status-' + status); b.setAttribute('data-status', status); return b; }
  function isWebUrl(u) { return typeof u === 'string' && /^https?:\/\//i.test(u); }
  var LOCALE = document.body.getAttribute('data-locale') || 'en';

  // Mirrors useProgressLabel in bulk-page.tsx and progressWidth in layout.tsx.
  function progressLabel(c) {
    var parts = PARTS.filter(function (p) { return c[p] > 0; }).map(function (p) { return msg('bulkPage.js.bar.' + p, { n: c[p] }); });
    return parts.length ? msg('bulkPage.js.bar.of', { parts: parts.join(', '), total: c.total }) : msg('bulkPage.js.bar.none', { total: c.total });
  }
  function progressWidth(n, total) { return (total > 0 ? Math.round((n / total) * 1000) / 10 : 0) + '%'; }

  var statusHolder = document.querySelector('[data-status-url]');
  var refreshStatus = null;
  var soonRefresh = null;
  if (statusHolder) {
    var url = statusHolder.getAttribute('data-status-url');
    var progressUrl = statusHolder.getAttribute('data-progress-url');
    var screenshotsUrl = statusHolder.getAttribute('data-screenshots-url');
    var accounts = document.querySelector('[data-accounts]');
    var accountLogUrl = accounts ? accounts.getAttribute('data-account-log-url') : null;
    var accountsUrl = accounts ? accounts.getAttribute('data-accounts-url') : null;
    var timer = null;
    var progressTimer = null;
    var lastStatus = null;
    var nextFormat = new Intl.DateTimeFormat(LOCALE, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

    // An action's form as bulk-page.tsx renders it (ActionForm): a button whose name ends with
    // a hidden phrase telling it apart from its neighbours, and a place for its error.
    var postForm = function (action, dataAction, cls, label, srName) {
      var form = el('form', null, cls);
      form.method = 'post'; form.action = action;
      form.setAttribute('data-action', dataAction);
      var button = el('button', label); button.type = 'submit';
      if (srName) button.appendChild(el('span', srName, 'sr-only'));
      form.appendChild(button);
      form.appendChild(document.createTextNode(' '));
      var error = el('span', null, 'error action-error'); error.setAttribute('data-field', 'action-error'); error.setAttribute('role', 'alert');
      form.appendChild(error);
      return form;
    };

    // A row for an account registered after the page was rendered (the same cells as BulkPage's).
    var addRow = function (accountId) {
      var row = el('tr');
      row.setAttribute('data-account', accountId);
      var name = el('td');
      var link = el('a', accountId); link.href = accountLogUrl + encodeURIComponent(accountId);
      name.appendChild(link);
      row.appendChild(name);
      ['status', 'currentStep', 'phase', 'next', 'posts', 'previews', 'error'].forEach(function (field) {
        var td = el('td', null, field === 'error' ? 'error' : field === 'previews' ? 'previews' : null);
        td.setAttribute('data-field', field);
        if (field === 'error') { var text = el('span'); text.setAttribute('data-field', 'error-text'); td.appendChild(text); }
        row.appendChild(td);
      });
      row.appendChild(el('td'));
      var actions = el('td');
      actions.appendChild(postForm(accountsUrl + encodeURIComponent(accountId) + '/cancel', 'cancel-account', 'inline', msg('bulkPage.js.cancelAccount'), ' ' + accountId));
      row.appendChild(actions);
      // Each cell names its column, as the server's rows do (a card of labelled lines on a narrow screen).
      var heads = accounts.querySelectorAll('thead th');
      Array.prototype.forEach.call(row.children, function (td, i) { if (heads[i]) td.setAttribute('data-label', heads[i].textContent); });
      accounts.querySelector('tbody').appendChild(row);
      return row;
    };

    // Mirrors postState, planTime and byPlannedTime in bulk-page.tsx.
    var zoneFormats = {};
    var weekdayFormat = new Intl.DateTimeFormat(LOCALE, { weekday: 'short', timeZone: 'UTC' });
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    var postState = function (v, account, paused, now) {
      if (v.status === 'published' || v.status === 'failed') return v.status;
      if (account === 'cancelled' || account === 'failed') return account;
      if (v.status === 'uploaded') return 'running';
      if (account === 'running' && !paused && (!v.plannedAt || Date.parse(v.plannedAt) <= now)) return 'running';
      return 'planned';
    };
    var planTime = function (iso, zone) {
      var f = zoneFormats[zone] || (zoneFormats[zone] = new Intl.DateTimeFormat('en-US', {
        timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'
      }));
      var t = {};
      f.formatToParts(new Date(Date.parse(iso))).forEach(function (p) { if (p.type !== 'literal') t[p.type] = Number(p.value); });
      var day = t.year + '-' + pad(t.month) + '-' + pad(t.day);
      var hm = pad(t.hour % 24) + ':' + pad(t.minute);
      return {
        day: day,
        dayLabel: weekdayFormat.format(new Date(Date.UTC(t.year, t.month - 1, t.day))) + ' ' + day,
        time: t.second ? hm + ':' + pad(t.second) : hm,
        local: day + 'T' + hm
      };
    };
    var byPlannedTime = function (a, b) {
      var at = function (p) { return p.video.plannedAt || '~'; };
      return at(a).localeCompare(at(b)) || a.accountId.localeCompare(b.accountId) || a.video.videoId.localeCompare(b.video.videoId);
    };
    var srPost = function (key, p) { return msg(key, { video: p.video.videoId, account: p.accountId }); };

    // A datetime-local input takes a new value only when nobody is typing in it.
    var setIfUntouched = function (input, value) {
      if (document.activeElement === input || input.value !== input.defaultValue) return;
      input.defaultValue = value; input.value = value;
    };

    var plan = document.querySelector('[data-plan]');
    var planItem = function (p) {
      var li = el('li');
      li.setAttribute('data-post', JSON.stringify([p.accountId, p.video.videoId]));
      var time = el('time', null, 'plan-time'); time.setAttribute('data-field', 'time');
      li.appendChild(time);
      var what = el('span', null, 'plan-what');
      var account = el('span', p.accountId); account.setAttribute('data-field', 'account');
      var video = el('span', p.video.videoId); video.setAttribute('data-field', 'video');
      what.appendChild(account); what.appendChild(document.createTextNode(' · ')); what.appendChild(video);
      li.appendChild(what);
      ['state', 'post'].forEach(function (field) { var span = el('span'); span.setAttribute('data-field', field); li.appendChild(span); });
      var error = el('span', null, 'error'); error.setAttribute('data-field', 'error');
      li.appendChild(error);
      var form = el('form', null, 'plan-move');
      form.method = 'post';
      form.action = plan.getAttribute('data-accounts-url') + encodeURIComponent(p.accountId) + '/videos/' + encodeURIComponent(p.video.videoId) + '/move';
      form.setAttribute('data-action', 'move');
      var label = el('label');
      label.appendChild(el('span', msg('bulkPage.js.plan.newTime'), 'plan-move-label'));
      label.appendChild(el('span', srPost('bulkPage.js.sr.timeFor', p), 'sr-only'));
      label.appendChild(document.createTextNode(' '));
      var input = el('input'); input.type = 'datetime-local'; input.name = 'publishAt'; input.required = true;
      label.appendChild(input);
      form.appendChild(label);
      var button = el('button', msg('bulkPage.js.plan.move')); button.type = 'submit';
      button.appendChild(el('span', srPost('bulkPage.js.sr.post', p), 'sr-only'));
      form.appendChild(button);
      var formError = el('span', null, 'error'); formError.setAttribute('data-field', 'action-error'); formError.setAttribute('role', 'alert');
      form.appendChild(formError);
      li.appendChild(form);
      return li;
    };

    var renderPlan = function (s, finished) {
      var zone = s.timeZone;
      var now = Date.now();
      var posts = [];
      s.accounts.forEach(function (a) {
        a.videos.forEach(function (v) { posts.push({ accountId: a.accountId, accountStatus: a.status, video: v }); });
      });
      posts.sort(byPlannedTime);
      var hasPlan = posts.some(function (p) { return p.video.plannedAt; });
      plan.hidden = !hasPlan;
      if (!hasPlan) return;
      posts.forEach(function (p) {
        p.key = JSON.stringify([p.accountId, p.video.videoId]);
        p.when = p.video.plannedAt ? planTime(p.video.plannedAt, zone) : null;
        p.state = postState(p.video, p.accountStatus, s.paused, now);
      });
      // Rows are moved only when the order or a day changed, so an input being typed in keeps its focus.
      var days = plan.querySelector('[data-plan-days]');
      var items = {};
      var shown = [];
      Array.prototype.forEach.call(days.querySelectorAll('[data-post]'), function (li) {
        items[li.getAttribute('data-post')] = li;
        shown.push(li.parentNode.parentNode.getAttribute('data-day') + ' ' + li.getAttribute('data-post'));
      });
      var wanted = posts.map(function (p) { return (p.when ? p.when.day : '') + ' ' + p.key; });
      if (shown.join('\n') !== wanted.join('\n')) {
        var groups = [];
        posts.forEach(function (p) {
          var key = p.when ? p.when.day : '';
          var group = groups[groups.length - 1];
          if (!group || group.key !== key) {
            group = { key: key, section: el('section', null, 'plan-day'), list: el('ol', null, 'plan-list') };
            group.section.setAttribute('data-day', key);
            group.section.appendChild(el('h3', p.when ? p.when.dayLabel : msg('bulkPage.js.plan.unplanned')));
            group.section.appendChild(group.list);
            groups.push(group);
          }
          group.list.appendChild(items[p.key] || planItem(p));
        });
        days.textContent = '';
        groups.forEach(function (g) { days.appendChild(g.section); });
      }
      var firstOpen = null;
      posts.forEach(function (p) {
        var li = days.querySelector('[data-post="' + CSS.escape(p.key) + '"]');
        var cell = function (name) { return li.querySelector('[data-field="' + name + '"]'); };
        var time = cell('time');
        time.textContent = p.when ? p.when.time : msg('bulkPage.js.plan.atOnce');
        if (p.video.plannedAt) time.setAttribute('datetime', p.video.plannedAt); else time.removeAttribute('datetime');
        var state = cell('state'); state.textContent = ''; state.appendChild(badge(p.state));
        var post = cell('post'); post.textContent = '';
        if (isWebUrl(p.video.postUrl)) {
          var link = el('a', msg('bulkPage.js.plan.post')); link.href = p.video.postUrl; link.target = '_blank'; link.rel = 'noopener';
          link.appendChild(el('span', srPost('bulkPage.js.sr.postOf', p), 'sr-only'));
          post.appendChild(link);
        }
        cell('error').textContent = p.video.error || '';
        var move = li.querySelector('[data-action="move"]');
        move.hidden = finished || p.state !== 'planned' || p.accountStatus !== 'running' || !p.video.plannedAt;
        if (p.when) setIfUntouched(move.querySelector('input'), p.when.local);
        if (!firstOpen && p.when && p.state === 'planned') firstOpen = p.when;
      });
      var reschedule = plan.querySelector('[data-action="reschedule"]');
      reschedule.hidden = finished;
      if (firstOpen) setIfUntouched(reschedule.querySelector('input'), firstOpen.local);
    };

    // The screenshot link of an account that failed while the page was open, when there is one.
    var screenshotAsked = {};
    var findScreenshot = function (accountId, cell) {
      if (screenshotAsked[accountId] || cell.querySelector('[data-field="screenshot"]')) return;
      screenshotAsked[accountId] = true;
      var href = screenshotsUrl + encodeURIComponent(accountId);
      fetch(href, { method: 'HEAD', credentials: 'same-origin' }).then(function (r) {
        if (!r.ok) return;
        var link = el('a', msg('bulkPage.js.screenshot')); link.href = href; link.target = '_blank';
        link.setAttribute('data-field', 'screenshot');
        cell.appendChild(document.createTextNode(' '));
        cell.appendChild(link);
      }).catch(function () { /* no link, as before */ });
    };

    var previewButtons = function (cell, a) {
      var want = a.videos.filter(function (v) { return v.filePath; }).map(function (v) { return v.videoId; });
      var have = Array.prototype.map.call(cell.querySelectorAll('[data-preview-video]'), function (b) { return b.getAttribute('data-preview-video'); });
      if (want.join('\n') === have.join('\n')) return;
      cell.textContent = '';
      want.forEach(function (videoId) {
        var button = el('button', msg('bulkPage.js.preview') + ' ' + videoId); button.type = 'button';
        button.setAttribute('data-preview-video', videoId);
        button.appendChild(el('span', msg('bulkPage.js.sr.onAccount', { account: a.accountId }), 'sr-only'));
        cell.appendChild(button);
      });
    };

    var render = function (s) {
      lastStatus = s;
      var heading = document.querySelector('h1 [data-field="status"]');
      if (heading) { heading.textContent = statusName(s.status); heading.setAttribute('data-status', s.status); heading.className = 'status status-' + s.status; }
      var finished = Boolean(FINISHED[s.status]);
      var counts = { total: s.total, completed: s.completed, failed: s.failed, cancelled: 0, running: s.running };
      s.accounts.forEach(function (a) {
        if (a.status === 'cancelled') counts.cancelled++;
        var row = document.querySelector('tr[data-account="' + CSS.escape(a.accountId) + '"]');
        if (!row && accounts) row = addRow(a.accountId);
        if (!row) return;
        var cell = function (name) { return row.querySelector('[data-field="' + name + '"]'); };
        var st = cell('status'); st.textContent = ''; st.appendChild(badge(a.status));
        cell('currentStep').textContent = a.currentStep || '';
        if (a.status !== 'running') cell('phase').textContent = '';
        var next = null;
        a.videos.forEach(function (v) { if (v.plannedAt && v.status !== 'published' && v.status !== 'failed' && (!next || v.plannedAt < next)) next = v.plannedAt; });
        var nextCell = cell('next'); nextCell.textContent = '';
        if (next) { var time = el('time', nextFormat.format(new Date(next))); time.setAttribute('datetime', next); nextCell.appendChild(time); }
        var posts = cell('posts'); posts.textContent = '';
        a.videos.forEach(function (v) {
          if (!isWebUrl(v.postUrl)) return;
          var link = el('a', v.videoId); link.href = v.postUrl; link.target = '_blank'; link.rel = 'noopener';
          posts.appendChild(link); posts.appendChild(document.createTextNode(' '));
        });
        previewButtons(cell('previews'), a);
        var err = cell('error');
        err.querySelector('[data-field="error-text"]').textContent = a.error || '';
        if (a.status === 'failed') findScreenshot(a.accountId, err);
        var cancelAccount = row.querySelector('[data-action="cancel-account"]');
        if (cancelAccount) cancelAccount.hidden = finished || a.status !== 'running';
      });
      var bar = statusHolder.querySelector('[data-field="progress"]');
      var label = progressLabel(counts);
      bar.setAttribute('aria-label', label); bar.title = label;
      PARTS.forEach(function (p) { bar.querySelector('[data-part="' + p + '"]').style.width = progressWidth(counts[p], counts.total); });
      var done = counts.completed + counts.failed + counts.cancelled;
      statusHolder.querySelector('[data-field="counts"]').textContent =
        msg('bulkPage.js.counts', { done: done, total: s.total, completed: s.completed, failed: s.failed, cancelled: counts.cancelled, running: s.running });
      var show = function (action, visible) { var form = document.querySelector('.actions [data-action="' + action + '"]'); if (form) form.hidden = !visible; };
      show('cancel', !finished);
      show('retry', finished && s.status !== 'completed');
      show('pause', !finished && !s.paused);
      show('resume', !finished && s.paused);
      var pausedBadge = document.querySelector('h1 [data-field="paused"]');
      if (pausedBadge) pausedBadge.hidden = finished || !s.paused;
      if (plan) renderPlan(s, finished);
      if (finished) { clearInterval(timer); timer = null; }
      else if (!timer) timer = setInterval(refreshStatus, 2000);
      var anyRunning = s.accounts.some(function (a) { return a.status === 'running'; });
      if (anyRunning && !finished && !progressTimer) { progressTimer = setInterval(refreshProgress, 1000); refreshProgress(); }
      if ((!anyRunning || finished) && progressTimer) { clearInterval(progressTimer); progressTimer = null; }
    };

    // How far each running account is into its render or upload, as a bar and a percent.
    var renderProgress = function (p) {
      if (!accounts || !lastStatus) return;
      lastStatus.accounts.forEach(function (a) {
        var row = document.querySelector('tr[data-account="' + CSS.escape(a.accountId) + '"]');
        var cell = row && row.querySelector('[data-field="phase"]');
        if (!cell) return;
        var now = a.status === 'running' ? p.accounts[a.accountId] : null;
        if (!now) { cell.textContent = ''; return; }
        var text = now.percent === null ? msg('bulkPage.js.phase.' + now.phase + 'Step') : msg('bulkPage.js.phase.' + now.phase, { percent: now.percent });
        var box = cell.querySelector('.phase');
        if (!box) {
          cell.textContent = '';
          box = el('span', null, 'phase');
          box.appendChild(el('span')).setAttribute('data-field', 'phase-text');
          var meter = el('progress'); meter.max = 100;
          box.appendChild(meter);
          cell.appendChild(box);
        }
        box.setAttribute('data-phase', now.phase);
        box.setAttribute('data-percent', now.percent === null ? '' : String(now.percent));
        box.querySelector('[data-field="phase-text"]').textContent = text;
        var bar = box.querySelector('progress');
        if (now.percent === null) bar.removeAttribute('value'); else bar.value = now.percent;
        bar.setAttribute('aria-label', text);
      });
    };
    // One question at a time: while the server is slow to answer, a tick asks nothing, so a
    // slow answer is not asked for again on top of itself.
    var progressAsked = false;
    var refreshProgress = function () {
      if (!progressUrl || progressAsked) return;
      progressAsked = true;
      fetch(progressUrl, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) { if (p) renderProgress(p); })
        .catch(function () { /* the next tick tries again */ })
        .then(function () { progressAsked = false; });
    };

    refreshStatus = function () {
      fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) { if (s) render(s); })
        .catch(function () { /* the next tick tries again */ });
    };
    // A log line comes with a step's status mark: refresh soon after one, once per burst.
    var pending = null;
    soonRefresh = function () {
      if (pending) return;
      pending = setTimeout(function () { pending = null; refreshStatus(); }, 250);
    };
    timer = setInterval(refreshStatus, 2000);
    refreshStatus();

    // The forms post to the API routes a script client calls; the answer is shown in place and
    // the page refreshed at once. A new time goes as the form's field (a local time the API
    // reads in the bulk's zone); the rest need no body.
    document.addEventListener('submit', function (ev) {
      var form = ev.target;
      if (!form || !form.getAttribute || !form.getAttribute('data-action') || form.getAttribute('method') === 'dialog') return;
      ev.preventDefault();
      var error = form.querySelector('[data-field="action-error"]');
      var button = form.querySelector('button[type=submit]');
      if (error) error.textContent = '';
      var withTime = Boolean(form.querySelector('input[name="publishAt"]'));
      var init = { method: 'POST', credentials: 'same-origin', redirect: 'manual', headers: { accept: 'application/json' } };
      if (withTime) {
        init.body = new URLSearchParams(new FormData(form));
      } else {
        init.headers['content-type'] = 'application/json';
        init.body = '{}';
      }
      if (button) button.disabled = true;
      fetch(form.action, init)
        .then(function (r) {
          if (r.ok || r.type === 'opaqueredirect') return null;
          return r.json().then(function (body) {
            var issue = body && body.issues && body.issues[0];
            return issue ? issue.message : (body && body.error) || String(r.status);
          }, function () { return String(r.status); });
        })
        .then(function (problem) {
          if (problem && error) error.textContent = msg('common.js.error.server', { error: problem });
          refreshStatus();
        })
        .catch(function () { if (error) error.textContent = msg('common.js.error.network'); })
        .then(function () { if (button) button.disabled = false; });
    });

    // The variant preview: the original and this account's variant, side by side.
    var dialog = document.querySelector('[data-preview]');
    if (dialog && accounts) {
      var original = dialog.querySelector('[data-field="preview-original"]');
      var variant = dialog.querySelector('[data-field="preview-variant"]');
      var previewError = dialog.querySelector('[data-field="preview-error"]');
      var failed = function () { previewError.textContent = msg('bulkPage.js.preview.failed'); };
      original.addEventListener('error', failed);
      variant.addEventListener('error', failed);
      accounts.addEventListener('click', function (ev) {
        var button = ev.target && ev.target.closest ? ev.target.closest('[data-preview-video]') : null;
        if (!button) return;
        var accountId = button.closest('tr[data-account]').getAttribute('data-account');
        var videoId = button.getAttribute('data-preview-video');
        previewError.textContent = '';
        dialog.querySelector('[data-field="preview-of"]').textContent = msg('bulkPage.js.preview.of', { video: videoId, account: accountId });
        original.src = dialog.getAttribute('data-originals-url') + encodeURIComponent(videoId);
        variant.src = dialog.getAttribute('data-variants-url') + encodeURIComponent(accountId) + '/' + encodeURIComponent(videoId);
        if (dialog.showModal) dialog.showModal(); else dialog.setAttribute('open', '');
      });
      dialog.addEventListener('close', function () {
        [original, variant].forEach(function (v) { v.pause(); v.removeAttribute('src'); v.load(); });
      });
    }
  }

  var box = document.querySelector('[data-log-stream]');
  if (box && window.EventSource) {
    var body = box.querySelector('tbody');
    var state = box.querySelector('[data-log-state]');
    var showAccount = box.getAttribute('data-show-account') === '1';
    var timeFormat = new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    var source = new EventSource(box.getAttribute('data-log-stream'));
    source.addEventListener('log', function (ev) {
      var e = JSON.parse(ev.data);
      if (body.querySelector('tr[data-id="' + e.id + '"]')) return;
      var row = el('tr', null, 'lvl-' + e.level);
      row.setAttribute('data-id', e.id);
      var when = el('td', timeFormat.format(new Date(e.time)), 'muted');
      when.title = e.time;
      row.appendChild(when);
      row.appendChild(el('td', e.level));
      if (showAccount) row.appendChild(el('td', e.accountId || ''));
      row.appendChild(el('td', e.message, 'msg'));
      var atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
      body.appendChild(row);
      if (atBottom) box.scrollTop = box.scrollHeight;
      if (state) state.textContent = msg('bulkPage.js.log.live');
      if (soonRefresh) soonRefresh();
    });
    source.addEventListener('done', function () {
      source.close();
      if (state) state.textContent = msg('common.js.logs.done');
      // The bulk has ended: every status is final now, so show it rather than wait for a poll.
      if (refreshStatus) refreshStatus();
    });
    source.onerror = function () { if (state && source.readyState !== 2) state.textContent = msg('common.js.logs.reconnecting'); };
  }
})();
`;
