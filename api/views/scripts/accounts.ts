/**
 * The accounts page's browser code, appended to `/assets/dashboard.js` (after the common part,
 * which defines `window.clipfleet.msg` and `statusName`). Plain ES5-style code in a string:
 * it runs only where its page's markers are, and builds nodes with textContent.
 * - The add and edit forms (`form[data-account-form]`) go to `PUT /accounts` (create only,
 *   `If-None-Match: *`) and `PATCH /accounts/{id}` as JSON; a 400's issues are written into the
 *   `[data-error-for]` of their fields. Secrets left blank are not sent, so an edit keeps them.
 * - A row's Check (`POST /accounts/{id}/check`) updates its state badge and says what happened;
 *   Delete asks first, then `DELETE /accounts/{id}` and the row goes.
 * - The import form (`form[data-import-form]`) reads a chosen file into its textarea and sends
 *   it to `POST /accounts/import`; each row's result is listed under it.
 * The controls it drives are rendered `hidden` and shown here: without the script they would do nothing.
 */
export const ACCOUNTS_SCRIPT = String.raw`(function () {
  'use strict';
  var table = document.querySelector('table[data-accounts]');
  if (!table || !window.clipfleet) return;
  var msg = window.clipfleet.msg;
  var statusName = window.clipfleet.statusName;
  var accountsUrl = table.getAttribute('data-accounts-url');
  var pageStatus = document.querySelector('[data-field="page-status"]');

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  each(document.querySelectorAll('.acc [hidden][data-action], form[data-account-form="add"], form[data-import-form]'), function (node) {
    node.removeAttribute('hidden');
  });

  // A JSON call with the session cookie; resolves to { status, data } (data null when the body is not JSON).
  function call(method, url, body, headers) {
    var init = { method: method, credentials: 'same-origin', headers: { accept: 'application/json' } };
    if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    if (headers) Object.keys(headers).forEach(function (k) { init.headers[k] = headers[k]; });
    return fetch(url, init).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: res.status, data: data };
      });
    });
  }
  function serverError(result) {
    return msg('common.js.error.server', { error: (result.data && result.data.error) || ('HTTP ' + result.status) });
  }
  function accountUrl(id, suffix) { return accountsUrl + '/' + encodeURIComponent(id) + (suffix || ''); }

  // ---- field errors ----
  function slots(form) { return form.querySelectorAll('[data-error-for]'); }
  function clearErrors(form) {
    each(slots(form), function (s) { s.textContent = ''; });
    each(form.querySelectorAll('[aria-invalid]'), function (i) { i.removeAttribute('aria-invalid'); });
  }
  // The slot of a field, or of its nearest parent: "tags.2" shows beside "tags", "proxy.server" beside its own input.
  function slotFor(form, field) {
    var name = field;
    while (name) {
      var found = null;
      each(slots(form), function (s) { if (!found && s.getAttribute('data-error-for') === name) found = s; });
      if (found) return found;
      var dot = name.lastIndexOf('.');
      if (dot < 0) return null;
      name = name.slice(0, dot);
    }
    return null;
  }
  function addError(slot, text) { slot.textContent = slot.textContent ? slot.textContent + '; ' + text : text; }
  // Puts each issue beside its field; what has no field goes to the form's own line. Focuses the first bad input.
  function showErrors(form, result) {
    var issues = (result.data && result.data.issues) || [];
    var general = slotFor(form, '(form)');
    var first = null;
    var placed = 0;
    issues.forEach(function (issue) {
      var slot = slotFor(form, issue.field);
      if (!slot || slot === general) return;
      addError(slot, issue.message);
      placed += 1;
      var input = slot.id ? document.getElementById(slot.id.replace(/-error$/, '')) : null;
      if (input) { input.setAttribute('aria-invalid', 'true'); first = first || input; }
    });
    if (general) general.textContent = placed ? msg('accounts.js.fixFields') : serverError(result);
    if (first) first.focus();
  }

  // ---- add and edit ----
  function input(form, name) { return form.elements.namedItem(name); }
  function value(form, name) { var i = input(form, name); return i ? i.value : ''; }
  function setValue(form, name, v) { var i = input(form, name); if (i) i.value = v; }
  function showKind(form, kind) {
    each(form.querySelectorAll('[data-browser-only]'), function (n) { n.hidden = kind === 'api'; });
  }
  // The form as the API's body; blank secrets are left out (kept on an edit), a blank proxy clears it on an edit.
  function bodyOf(form, kind, editing) {
    var body = { username: value(form, 'username'), tags: value(form, 'tags') };
    if (kind !== 'api') {
      if (value(form, 'password')) body.password = value(form, 'password');
      if (value(form, 'otpCode')) body.otpCode = value(form, 'otpCode');
      var server = value(form, 'proxy.server').trim();
      if (server) {
        body.proxy = { server: server };
        if (value(form, 'proxy.username').trim()) body.proxy.username = value(form, 'proxy.username').trim();
        if (value(form, 'proxy.password')) body.proxy.password = value(form, 'proxy.password');
      } else if (editing) {
        body.proxy = null;
      }
    }
    return body;
  }
  function submitting(form, busy) {
    each(form.querySelectorAll('button'), function (b) { b.disabled = busy; });
  }
  function send(form, request, done) {
    clearErrors(form);
    submitting(form, true);
    request().then(function (result) {
      submitting(form, false);
      if (result.status >= 200 && result.status < 300) done(result);
      else showErrors(form, result);
    }, function () {
      submitting(form, false);
      var general = slotFor(form, '(form)');
      if (general) general.textContent = msg('common.js.error.network');
    });
  }
  function goTo(form, param, id) {
    window.location.assign(form.getAttribute('data-page-url') + '?' + param + '=' + encodeURIComponent(id));
  }

  var addForm = document.querySelector('form[data-account-form="add"]');
  if (addForm) {
    var platform = input(addForm, 'platform');
    var kindOfAdd = function () { var o = platform.options[platform.selectedIndex]; return o ? o.getAttribute('data-kind') : 'browser'; };
    showKind(addForm, kindOfAdd());
    platform.addEventListener('change', function () { showKind(addForm, kindOfAdd()); });
    addForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var body = bodyOf(addForm, kindOfAdd(), false);
      body.id = value(addForm, 'id').trim();
      body.platform = platform.value;
      // Create only: an id already taken is refused (412) instead of replacing that account.
      send(addForm, function () { return call('PUT', accountsUrl, body, { 'if-none-match': '*' }); }, function () { goTo(addForm, 'added', body.id); });
    });
  }

  var editSection = document.querySelector('[data-edit-section]');
  var editForm = document.querySelector('form[data-account-form="edit"]');
  var editing = null;
  function openEdit(row) {
    var account = JSON.parse(row.getAttribute('data-account-json'));
    editing = account;
    clearErrors(editForm);
    editForm.reset();
    setValue(editForm, 'id', account.id);
    setValue(editForm, 'platform', account.platform);
    setValue(editForm, 'username', account.username);
    setValue(editForm, 'tags', account.tags.join(' '));
    setValue(editForm, 'proxy.server', account.proxy ? account.proxy.server : '');
    setValue(editForm, 'proxy.username', account.proxy && account.proxy.username ? account.proxy.username : '');
    showKind(editForm, account.kind);
    editSection.hidden = false;
    var heading = editSection.querySelector('h2');
    heading.focus();
    if (heading.scrollIntoView) heading.scrollIntoView({ block: 'start' });
  }
  if (editForm && editSection) {
    editForm.addEventListener('submit', function (event) {
      event.preventDefault();
      if (!editing) return;
      var id = editing.id;
      var body = bodyOf(editForm, editing.kind, true);
      send(editForm, function () { return call('PATCH', accountUrl(id), body); }, function () { goTo(editForm, 'saved', id); });
    });
    editForm.querySelector('[data-action="cancel-edit"]').addEventListener('click', function () {
      var row = editing && table.querySelector('tr[data-account="' + editing.id + '"]');
      editing = null;
      editSection.hidden = true;
      var back = row && row.querySelector('[data-action="edit"]');
      if (back) back.focus();
    });
  }

  // ---- a row's buttons ----
  function setBadge(row, state) {
    var badge = row.querySelector('[data-field="state-badge"]');
    if (badge) {
      badge.className = 'status status-' + state;
      badge.setAttribute('data-status', state);
      badge.textContent = statusName(state);
    }
    row.className = state === 'session_expired' || state === 'needs_reconnect' ? 'attention' : '';
  }
  function check(row, button) {
    var id = row.getAttribute('data-account');
    var said = row.querySelector('[data-field="check-message"]');
    button.disabled = true;
    said.className = 'check-message muted';
    said.textContent = msg('accounts.js.checking');
    call('POST', accountUrl(id, '/check')).then(function (result) {
      button.disabled = false;
      if (result.status === 200 && result.data) {
        setBadge(row, result.data.state);
        // The check's own message replaces the stale reason of the state it ended.
        var stale = row.querySelector('[data-field="state-detail"]');
        if (stale && stale.parentNode) stale.parentNode.removeChild(stale);
        said.className = 'check-message ' + (result.data.ok ? '' : 'error');
        said.textContent = result.data.message;
      } else {
        said.className = 'check-message error';
        said.textContent = serverError(result);
      }
    }, function () {
      button.disabled = false;
      said.className = 'check-message error';
      said.textContent = msg('common.js.error.network');
    });
  }
  function remove(row, button) {
    var id = row.getAttribute('data-account');
    if (!window.confirm(msg('accounts.js.deleteConfirm', { id: id }))) return;
    button.disabled = true;
    call('DELETE', accountUrl(id)).then(function (result) {
      if (result.status === 204 || result.status === 404) {
        row.parentNode.removeChild(row);
        if (pageStatus) pageStatus.textContent = msg('accounts.js.deleted', { id: id });
      } else {
        button.disabled = false;
        row.querySelector('[data-field="check-message"]').textContent = serverError(result);
      }
    }, function () {
      button.disabled = false;
      row.querySelector('[data-field="check-message"]').textContent = msg('common.js.error.network');
    });
  }
  table.addEventListener('click', function (event) {
    var button = event.target.closest ? event.target.closest('button[data-action]') : null;
    if (!button) return;
    var row = button.closest('tr[data-account]');
    if (!row) return;
    var action = button.getAttribute('data-action');
    if (action === 'edit' && editForm) openEdit(row);
    else if (action === 'check') check(row, button);
    else if (action === 'delete') remove(row, button);
  });

  // ---- import ----
  var importForm = document.querySelector('form[data-import-form]');
  var results = document.querySelector('[data-import-results]');
  if (importForm && results) {
    var text = input(importForm, 'csv');
    var file = importForm.querySelector('[data-import-file]');
    var csvSlot = slotFor(importForm, 'csv');
    file.addEventListener('change', function () {
      if (!file.files || !file.files[0]) return;
      var reader = new FileReader();
      reader.onload = function () { text.value = String(reader.result); };
      reader.onerror = function () { csvSlot.textContent = msg('accounts.js.readFailed'); };
      reader.readAsText(file.files[0]);
    });
    var cell = function (tr, content, cls) { var td = el('td', content, cls); tr.appendChild(td); return td; };
    var showResults = function (summary) {
      results.textContent = '';
      results.appendChild(el('p', msg('accounts.js.importSummary', { created: summary.created, updated: summary.updated, failed: summary.failed }), 'notice'));
      var wrap = el('div', null, 'table-wrap');
      var tbl = el('table');
      tbl.setAttribute('data-import-rows', '');
      var head = el('tr');
      ['accounts.js.importLine', 'accounts.js.importAccount', 'accounts.js.importResult', 'accounts.js.importProblems'].forEach(function (key) {
        var th = el('th', msg(key)); th.scope = 'col'; head.appendChild(th);
      });
      var thead = el('thead'); thead.appendChild(head); tbl.appendChild(thead);
      var body = el('tbody');
      summary.rows.forEach(function (r) {
        var tr = el('tr');
        tr.setAttribute('data-line', String(r.line));
        tr.setAttribute('data-result', r.result);
        cell(tr, r.line);
        cell(tr, r.id || '');
        cell(tr, msg('accounts.js.result.' + r.result));
        cell(tr, r.issues.map(function (i) { return i.field + ': ' + i.message; }).join('; '), 'error');
        body.appendChild(tr);
      });
      tbl.appendChild(body);
      wrap.appendChild(tbl);
      results.appendChild(wrap);
      var again = el('a', msg('accounts.js.showList'));
      again.href = window.location.pathname + window.location.search;
      results.appendChild(el('p')).appendChild(again);
    };
    importForm.addEventListener('submit', function (event) {
      event.preventDefault();
      clearErrors(importForm);
      results.textContent = msg('accounts.js.importing');
      submitting(importForm, true);
      call('POST', importForm.getAttribute('data-import-url'), { csv: text.value }).then(function (result) {
        submitting(importForm, false);
        if (result.status === 200 && result.data) { showResults(result.data); return; }
        results.textContent = '';
        var issues = (result.data && result.data.issues) || [];
        if (!issues.length) { csvSlot.textContent = serverError(result); }
        issues.forEach(function (i) { addError(csvSlot, (i.line ? msg('accounts.js.importLine') + ' ' + i.line + ': ' : '') + i.field + ': ' + i.message); });
        text.setAttribute('aria-invalid', 'true');
        text.focus();
      }, function () {
        submitting(importForm, false);
        results.textContent = '';
        csvSlot.textContent = msg('common.js.error.network');
      });
    });
  }
})();`;
