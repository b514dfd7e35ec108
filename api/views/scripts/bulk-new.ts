/**
 * The bulk-new page's browser code, appended to `/assets/dashboard.js` (after the common part,
 * which defines `window.clipfleet.msg` and `statusName`). Plain ES5-style code in a string:
 * it runs only where its page's markers are, and builds nodes with textContent.
 *
 * `form[data-bulk-new]` (views/bulk-new-page.tsx): filters the accounts by platform, tag and
 * search; shows a picked video's caption field and the schedule's fields; turns the form into
 * the API's JSON body (a local start time read in the chosen zone); Preview posts it to
 * `POST /bulk-uploads/preview`, Start to `POST /bulk-uploads` and then opens the bulk's page.
 * A 400's issues go to the `[data-error-for]` slot of their field: `videos.2.path` to the
 * third picked video, `accountIds.3` to the fourth picked account, `options.schedule.slots.0`
 * to the slots; an issue with no slot goes to the form's own error line.
 */
export const BULK_NEW_SCRIPT = String.raw`(function () {
  'use strict';
  var form = document.querySelector('form[data-bulk-new]');
  if (!form) return;
  var msg = window.clipfleet.msg;
  var locale = document.body.getAttribute('data-locale') || 'en';
  var operatorZone = form.getAttribute('data-time-zone') || 'UTC';
  var $ = function (sel) { return form.querySelector(sel); };
  var $$ = function (sel) { return Array.prototype.slice.call(form.querySelectorAll(sel)); };
  var input = function (name) { return $('[data-input="' + name + '"]'); };
  var scheduleInput = function (name) { return $('[data-schedule-field="' + name + '"]'); };
  var number = new Intl.NumberFormat(locale);

  // ---- accounts: platform, tag and search filters; the selected count ----
  var accountRows = $$('[data-accounts] li');
  var tagSelect = $('[data-account-tag]');
  var search = $('[data-account-search]');
  var shown = function (li) { return !li.hidden; };
  var pickedAccounts = function () {
    var platform = input('platform').value;
    return accountRows.filter(function (li) {
      return li.getAttribute('data-platform') === platform && li.querySelector('[data-account-pick]').checked;
    });
  };
  var countSelected = function () {
    $('[data-selected-count]').textContent = msg('bulkNew.js.selected', { n: number.format(pickedAccounts().length) });
  };
  var filterAccounts = function () {
    var platform = input('platform').value;
    var tag = tagSelect.value;
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var any = false;
    accountRows.forEach(function (li) {
      var tags = JSON.parse(li.getAttribute('data-tags') || '[]');
      var text = li.getAttribute('data-search') || '';
      var onPlatform = li.getAttribute('data-platform') === platform;
      // An account of another platform cannot be in this bulk: it is unpicked, not just hidden.
      if (!onPlatform) li.querySelector('[data-account-pick]').checked = false;
      li.hidden = !(onPlatform && (!tag || tags.indexOf(tag) >= 0) && words.every(function (w) { return text.indexOf(w) >= 0; }));
      if (!li.hidden) any = true;
    });
    $('[data-no-accounts]').hidden = any || accountRows.length === 0;
    countSelected();
  };
  input('platform').addEventListener('change', filterAccounts);
  tagSelect.addEventListener('change', filterAccounts);
  search.addEventListener('input', filterAccounts);
  $$('[data-select]').forEach(function (button) {
    button.addEventListener('click', function () {
      var all = button.getAttribute('data-select') === 'all';
      accountRows.forEach(function (li) {
        if (!all || shown(li)) li.querySelector('[data-account-pick]').checked = all;
      });
      countSelected();
    });
  });
  form.addEventListener('change', function (e) { if (e.target.hasAttribute && e.target.hasAttribute('data-account-pick')) countSelected(); });
  filterAccounts();

  // ---- videos: a picked video's caption field ----
  var videoItems = $$('[data-videos] li');
  var showCaption = function (li) { li.querySelector('[data-caption]').hidden = !li.querySelector('[data-video-pick]').checked; };
  videoItems.forEach(function (li) {
    li.querySelector('[data-video-pick]').addEventListener('change', function () { showCaption(li); });
    showCaption(li);
  });
  var pickedVideos = function () { return videoItems.filter(function (li) { return li.querySelector('[data-video-pick]').checked; }); };

  // ---- now or on a schedule ----
  var mode = function () { var checked = $('[data-when]:checked'); return checked ? checked.value : 'now'; };
  var showSchedule = function () { $('[data-schedule]').hidden = mode() !== 'schedule'; };
  $$('[data-when]').forEach(function (radio) { radio.addEventListener('change', showSchedule); });
  showSchedule();

  // ---- the API's body ----
  // A number field as the API takes it: blank is left out, text is sent as typed so the API names the field.
  var numberOf = function (el) {
    var v = el.value.trim();
    if (v === '') return undefined;
    return isFinite(Number(v)) ? Number(v) : v;
  };
  // The offset of a zone at an instant, in ms (what the zone's clock reads minus UTC).
  var zoneFormats = {};
  var offsetAt = function (ms, zone) {
    var f = zoneFormats[zone] || (zoneFormats[zone] = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'
    }));
    var t = {};
    f.formatToParts(new Date(ms)).forEach(function (p) { if (p.type !== 'literal') t[p.type] = Number(p.value); });
    return Date.UTC(t.year, t.month - 1, t.day, t.hour % 24, t.minute, t.second) - Math.floor(ms / 1000) * 1000;
  };
  // A datetime-local value read in a zone, as an ISO instant; what does not read is sent as typed.
  var instantIn = function (local, zone) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
    if (!m) return local;
    var wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    var guess = wall - offsetAt(wall, zone);
    return new Date(wall - offsetAt(guess, zone)).toISOString();
  };
  var body = function () {
    var options = { uniquifyPreset: input('uniquifyPreset').value };
    var concurrency = numberOf(input('concurrency'));
    if (concurrency !== undefined) options.concurrency = concurrency;
    if (mode() === 'schedule') {
      var zone = scheduleInput('timeZone').value;
      var schedule = { timeZone: zone };
      var start = scheduleInput('publishAt').value;
      if (start) schedule.publishAt = instantIn(start, zone);
      var slots = scheduleInput('slots').value.split(/[\s,;]+/).filter(Boolean);
      if (slots.length) schedule.slots = slots;
      ['minSpacingMinutes', 'dailyMax', 'jitterMinutes'].forEach(function (name) {
        var v = numberOf(scheduleInput(name));
        if (v !== undefined) schedule[name] = v;
      });
      options.schedule = schedule;
    }
    return {
      taskId: input('taskId').value.trim(),
      platform: input('platform').value,
      videos: pickedVideos().map(function (li) {
        return { path: li.querySelector('[data-video-pick]').value, caption: li.querySelector('[data-caption-input]').value };
      }),
      accountIds: pickedAccounts().map(function (li) { return li.getAttribute('data-account'); }),
      options: options
    };
  };

  // ---- errors beside their fields ----
  var formError = $('[data-form-error]');
  var clearErrors = function () {
    $$('[data-error-for]').forEach(function (slot) { slot.textContent = ''; });
    $$('[aria-invalid]').forEach(function (el) { el.removeAttribute('aria-invalid'); });
    formError.textContent = '';
  };
  var slotFor = function (field, picked) {
    var parts = field.split('.');
    if (parts[0] === 'videos' && /^\d+$/.test(parts[1] || '')) {
      var video = picked.videos[+parts[1]];
      if (video) return form.querySelector('[data-error-for="video:' + video.getAttribute('data-video') + '"]');
    }
    if (parts[0] === 'accountIds' && /^\d+$/.test(parts[1] || '')) {
      var account = picked.accounts[+parts[1]];
      if (account) return form.querySelector('[data-error-for="account:' + account.getAttribute('data-account') + '"]');
    }
    // The field itself, else the nearest enclosing one that has a slot (options.schedule.slots.0 → options.schedule.slots).
    for (var n = parts.length; n > 0; n--) {
      var slot = form.querySelector('[data-error-for="' + parts.slice(0, n).join('.') + '"]');
      if (slot) return slot;
    }
    return null;
  };
  var showIssues = function (issues, picked) {
    var firstSlot = null;
    issues.forEach(function (issue) {
      var slot = slotFor(issue.field, picked);
      var m = /^options\.schedule\.slots\.(\d+)$/.exec(issue.field);
      var text = m ? msg('bulkNew.js.slot', { n: +m[1] + 1, message: issue.message }) : issue.message;
      if (!slot) { formError.textContent += (formError.textContent ? '\n' : '') + issue.field + ': ' + text; return; }
      slot.textContent += (slot.textContent ? '; ' : '') + text;
      var owner = slot.id ? form.querySelector('[aria-describedby~="' + slot.id + '"]') : null;
      if (owner) owner.setAttribute('aria-invalid', 'true');
      if (!firstSlot) firstSlot = slot;
    });
    if (firstSlot && firstSlot.scrollIntoView) firstSlot.scrollIntoView({ block: 'center' });
  };

  // ---- preview and start ----
  var previewBox = $('[data-preview]');
  var buttons = $$('[data-action]');
  var dateTime = new Intl.DateTimeFormat(locale, { timeZone: operatorZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  var when = function (iso) { return dateTime.format(new Date(Date.parse(iso))) + ' (' + operatorZone + ')'; };
  var describePreview = function (p) {
    var counts = { posts: number.format(p.posts), videos: number.format(p.videos), accounts: number.format(p.accounts) };
    var lines = [];
    if (p.firstPlannedAt && p.lastPlannedAt) {
      counts.first = when(p.firstPlannedAt); counts.last = when(p.lastPlannedAt);
      lines.push(msg('bulkNew.js.preview.scheduled', counts));
    } else lines.push(msg('bulkNew.js.preview.now', counts));
    if (p.unplannable && p.unplannable.length) lines.push(msg('bulkNew.js.preview.unplannable', { accounts: p.unplannable.join(', ') }));
    if (p.estimate) lines.push(msg('bulkNew.js.preview.estimate'));
    return lines;
  };
  var send = function (url, busy) {
    clearErrors();
    previewBox.textContent = busy;
    var picked = { videos: pickedVideos(), accounts: pickedAccounts() };
    var payload = body();
    buttons.forEach(function (b) { b.disabled = true; });
    var done = function () { buttons.forEach(function (b) { b.disabled = false; }); };
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) { done(); return { status: res.status, json: json, picked: picked, payload: payload }; });
    }, function (err) { done(); previewBox.textContent = ''; formError.textContent = msg('common.js.error.network'); throw err; });
  };
  var refused = function (answer, line) {
    previewBox.textContent = '';
    if (answer.json && answer.json.issues && answer.json.issues.length) {
      showIssues(answer.json.issues, answer.picked);
      if (!formError.textContent) formError.textContent = line;
    } else formError.textContent = msg('common.js.error.server', { error: (answer.json && answer.json.error) || String(answer.status) });
  };
  $('[data-action="preview"]').addEventListener('click', function () {
    send(form.getAttribute('data-preview-url'), msg('bulkNew.js.checking')).then(function (answer) {
      if (answer.status !== 200) return refused(answer, msg('bulkNew.js.refusedPreview'));
      previewBox.textContent = '';
      describePreview(answer.json).forEach(function (line, i) {
        var p = document.createElement(i === 0 ? 'strong' : 'p');
        p.textContent = line;
        if (i === 0) p.setAttribute('data-preview-summary', '');
        previewBox.appendChild(p);
      });
    }, function () { /* shown by send */ });
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    send(form.getAttribute('data-start-url'), msg('bulkNew.js.starting')).then(function (answer) {
      if (answer.status !== 202) return refused(answer, msg('bulkNew.js.refused'));
      window.location.assign(form.getAttribute('data-bulk-page') + encodeURIComponent(answer.json.taskId || answer.payload.taskId));
    }, function () { /* shown by send */ });
  });
})();`;
