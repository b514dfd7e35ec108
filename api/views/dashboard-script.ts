/**
 * The dashboard's only script, served as `/assets/dashboard.js` (the pages' CSP forbids
 * inline script). Plain ES5-style browser code in a string: it needs no bundler, and it
 * builds every node with `textContent`, never `innerHTML`, so log lines and errors stay text.
 * - `[data-log-stream]`: an EventSource on the logs endpoint. The browser resends the last
 *   event id (the log cursor) on reconnect, so a dropped connection loses and repeats nothing.
 * - `[data-status-url]`: polls the bulk's JSON status and refreshes the page from it: the
 *   heading's badges (status, paused), the account rows, the bar and counts, which of
 *   pause/resume, cancel and retry is offered, and the plan (`[data-plan]`: its posts by
 *   day in the bulk's zone, their times, states and move forms; a move form being typed in
 *   is left alone). The stream's `done` triggers one more refresh at once, so the page shows
 *   the end without waiting for the next poll or a reload.
 * The rules it shares with the server-rendered pages (finished statuses, bar parts, the
 * plan's day names) are written into it from their TypeScript definitions.
 */
import { FINISHED_TASK_STATUSES } from '../../contracts/statuses';
import { UNPLANNED_HEADING, WEEKDAYS } from './bulk-page';
import { PROGRESS_PARTS } from './layout';

const finishedJson = JSON.stringify(Object.fromEntries(FINISHED_TASK_STATUSES.map((s) => [s, 1])));

export const DASHBOARD_SCRIPT = String.raw`(function () {
  'use strict';
  var FINISHED = ${finishedJson};
  var PARTS = ${JSON.stringify(PROGRESS_PARTS)};
  var WEEKDAYS = ${JSON.stringify(WEEKDAYS)};
  var UNPLANNED_HEADING = ${JSON.stringify(UNPLANNED_HEADING)};

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
    var accountsUrl = accounts ? accounts.getAttribute('data-accounts-url') : null;
    var timer = null;

    // A form posting to the API, as bulk-page.tsx renders it: a button whose name ends with a
    // hidden phrase telling it apart from its neighbours.
    var postForm = function (action, dataAction, cls, label, srName) {
      var form = el('form', null, cls);
      form.method = 'post'; form.action = action;
      form.setAttribute('data-action', dataAction);
      var button = el('button', label); button.type = 'submit';
      button.appendChild(el('span', srName, 'sr-only'));
      form.appendChild(button);
      return form;
    };

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
      var actions = el('td');
      actions.appendChild(postForm(accountsUrl + encodeURIComponent(accountId) + '/cancel', 'cancel-account', 'inline', 'Cancel account', ' ' + accountId));
      row.appendChild(actions);
      accounts.querySelector('tbody').appendChild(row);
      return row;
    };

    // Mirrors postState, planTime and byPlannedTime in bulk-page.tsx.
    var zoneFormats = {};
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
        dayLabel: WEEKDAYS[new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay()] + ' ' + day,
        time: t.second ? hm + ':' + pad(t.second) : hm,
        local: day + 'T' + hm
      };
    };
    var byPlannedTime = function (a, b) {
      var at = function (p) { return p.video.plannedAt || '~'; };
      return at(a).localeCompare(at(b)) || a.accountId.localeCompare(b.accountId) || a.video.videoId.localeCompare(b.video.videoId);
    };

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
      var name = p.video.videoId + ' on ' + p.accountId;
      var form = postForm(plan.getAttribute('data-accounts-url') + encodeURIComponent(p.accountId) + '/videos/' + encodeURIComponent(p.video.videoId) + '/move', 'move', 'plan-move', 'Move', ' ' + name);
      var label = el('label');
      label.appendChild(el('span', 'New time', 'plan-move-label'));
      label.appendChild(el('span', ' for ' + name, 'sr-only'));
      label.appendChild(document.createTextNode(' '));
      var input = el('input'); input.type = 'datetime-local'; input.name = 'publishAt'; input.required = true;
      label.appendChild(input);
      form.insertBefore(label, form.firstChild);
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
            group.section.appendChild(el('h3', p.when ? p.when.dayLabel : UNPLANNED_HEADING));
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
        time.textContent = p.when ? p.when.time : 'at once';
        if (p.video.plannedAt) time.setAttribute('datetime', p.video.plannedAt); else time.removeAttribute('datetime');
        var state = cell('state'); state.textContent = ''; state.appendChild(badge(p.state));
        var post = cell('post'); post.textContent = '';
        if (isWebUrl(p.video.postUrl)) {
          var link = el('a', 'post'); link.href = p.video.postUrl; link.target = '_blank'; link.rel = 'noopener';
          link.appendChild(el('span', ' of ' + p.video.videoId + ' on ' + p.accountId, 'sr-only'));
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

    var render = function (s) {
      var heading = document.querySelector('h1 [data-field="status"]');
      if (heading) { heading.textContent = s.status; heading.className = 'status status-' + s.status; }
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
        var posts = cell('posts'); posts.textContent = '';
        a.videos.forEach(function (v) {
          if (!isWebUrl(v.postUrl)) return;
          var link = el('a', v.videoId); link.href = v.postUrl; link.target = '_blank'; link.rel = 'noopener';
          posts.appendChild(link); posts.appendChild(document.createTextNode(' '));
        });
        var err = cell('error'); if (!err.querySelector('a')) err.textContent = a.error || '';
        var cancelAccount = row.querySelector('[data-action="cancel-account"]');
        if (cancelAccount) cancelAccount.hidden = finished || a.status !== 'running';
      });
      var bar = statusHolder.querySelector('[data-field="progress"]');
      var label = progressLabel(counts);
      bar.setAttribute('aria-label', label); bar.title = label;
      PARTS.forEach(function (p) { bar.querySelector('[data-part="' + p + '"]').style.width = progressWidth(counts[p], counts.total); });
      var done = counts.completed + counts.failed + counts.cancelled;
      statusHolder.querySelector('[data-field="counts"]').textContent =
        done + '/' + s.total + ' done · ' + s.completed + ' completed · ' + s.failed + ' failed · ' + counts.cancelled + ' cancelled · ' + s.running + ' running';
      var cancel = document.querySelector('[data-action="cancel"]');
      var retry = document.querySelector('[data-action="retry"]');
      if (cancel) cancel.hidden = finished;
      if (retry) retry.hidden = !finished || s.status === 'completed';
      var pausedBadge = document.querySelector('h1 [data-field="paused"]');
      if (pausedBadge) pausedBadge.hidden = finished || !s.paused;
      var pause = document.querySelector('[data-action="pause"]');
      var resume = document.querySelector('[data-action="resume"]');
      if (pause) pause.hidden = finished || s.paused;
      if (resume) resume.hidden = finished || !s.paused;
      if (plan) renderPlan(s, finished);
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
