/**
 * The videos page's browser code, appended to `/assets/dashboard.js` (after the common part,
 * which defines `window.clipfleet.msg` and `statusName`). Plain ES5-style code in a string:
 * it runs only where its page's markers are, and builds nodes with textContent.
 * - `[data-upload-zone]`: files dropped on it or chosen in its input are uploaded one after
 *   another, each in chunks through the resumable protocol of routes/videos.tsx. A broken
 *   connection asks the server for the offset it holds and continues from there, after a
 *   short wait that grows with each failure; the row says so. A file over the size limit,
 *   or one the browser itself calls something other than a video, is refused at once; the
 *   server's probe decides for the rest, and its reason is shown as it gave it.
 * - `[data-library]`: a finished upload becomes a row (the cells VideosPage renders); Delete
 *   calls `DELETE /videos/{id}`, and a 409 (a bulk uses it) is shown in the row.
 */
import { CHUNK_CONTENT_TYPE } from '../../routes/videos';

export const VIDEOS_SCRIPT = String.raw`(function () {
  'use strict';
  var zone = document.querySelector('[data-upload-zone]');
  var table = document.querySelector('[data-library]');
  if (!zone && !table) return;
  var msg = window.clipfleet.msg;
  var locale = document.body.getAttribute('data-locale') || 'en';
  var CHUNK_TYPE = ${JSON.stringify(CHUNK_CONTENT_TYPE)};
  // Waits before each resume after a failure (ms); one more failure than this gives up.
  var BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function parse(text) { try { return JSON.parse(text); } catch (e) { return null; } }

  // Mirror formatters().bytes and .duration in api/i18n/index.ts.
  function formatBytes(n) {
    var units = locale === 'ru' ? ['Б', 'КБ', 'МБ', 'ГБ', 'ТБ'] : ['B', 'KB', 'MB', 'GB', 'TB'];
    var value = n, unit = 0;
    while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
    return new Intl.NumberFormat(locale, { maximumFractionDigits: unit === 0 || value >= 10 ? 0 : 1 }).format(value) + ' ' + units[unit];
  }
  function formatDuration(seconds) {
    var s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    var pad = function (x) { return (x < 10 ? '0' : '') + x; };
    return h ? h + ':' + pad(m) + ':' + pad(s % 60) : m + ':' + pad(s % 60);
  }

  // One JSON request; done(status, data) with status 0 when the network failed.
  function request(method, url, body, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.setRequestHeader('Accept', 'application/json');
    if (body !== undefined) xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.onload = function () { done(xhr.status, parse(xhr.responseText)); };
    xhr.onerror = xhr.ontimeout = function () { done(0, null); };
    xhr.send(body === undefined ? null : JSON.stringify(body));
    return xhr;
  }

  // ---- the library ----
  var emptyNote = document.querySelector('[data-library-empty]');
  function labelOf(i) { var th = table.querySelectorAll('thead th')[i]; return th ? th.textContent : ''; }
  function libraryRow(v) {
    var row = el('tr');
    row.setAttribute('data-video', v.id);
    var thumb = el('td');
    var img = el('img'); img.src = v.thumbnailUrl; img.alt = msg('videos.js.thumbnailOf', { name: v.originalName }); img.width = 96;
    thumb.appendChild(img);
    row.appendChild(thumb);
    var name = el('td');
    var link = el('a', v.originalName); link.href = v.fileUrl;
    name.appendChild(link);
    name.appendChild(el('div', v.path, 'path muted'));
    row.appendChild(name);
    [formatDuration(v.durationSec), v.width + '×' + v.height, formatBytes(v.sizeBytes)].forEach(function (text, i) {
      var td = el('td', text); td.setAttribute('data-label', labelOf(i + 2)); row.appendChild(td);
    });
    var used = el('td'); used.setAttribute('data-label', labelOf(5)); used.setAttribute('data-field', 'usedBy');
    used.appendChild(el('span', msg('videos.js.unused'), 'muted'));
    row.appendChild(used);
    var actions = el('td');
    var del = el('button', msg('videos.js.delete')); del.type = 'button';
    del.setAttribute('data-delete-url', '/videos/' + encodeURIComponent(v.id));
    del.setAttribute('data-name', v.originalName);
    del.appendChild(el('span', ' ' + v.originalName, 'sr-only'));
    actions.appendChild(del);
    var error = el('span', null, 'field-error'); error.setAttribute('data-field', 'error'); error.setAttribute('role', 'alert');
    actions.appendChild(error);
    row.appendChild(actions);
    return row;
  }
  function addToLibrary(v) {
    if (!table) return;
    var body = table.querySelector('tbody');
    var old = body.querySelector('tr[data-video="' + v.id + '"]');
    if (old) old.parentNode.removeChild(old);
    body.insertBefore(libraryRow(v), body.firstChild);
    if (emptyNote) emptyNote.hidden = true;
  }
  if (table) {
    table.addEventListener('click', function (event) {
      var button = event.target.closest ? event.target.closest('button[data-delete-url]') : null;
      if (!button || button.disabled) return;
      var row = button.closest('tr');
      var error = row.querySelector('[data-field="error"]');
      if (!window.confirm(msg('videos.js.delete.confirm', { name: button.getAttribute('data-name') }))) return;
      button.disabled = true;
      error.textContent = '';
      request('DELETE', button.getAttribute('data-delete-url'), undefined, function (status, data) {
        if (status === 204) {
          row.parentNode.removeChild(row);
          if (emptyNote && !table.querySelector('tbody tr')) emptyNote.hidden = false;
          return;
        }
        // A bulk uses it (409): it stays, and the button stays off; anything else may be tried again.
        button.disabled = status === 409;
        error.textContent = status === 0 ? msg('common.js.error.network') : msg('common.js.error.server', { error: (data && data.error) || String(status) });
      });
    });
  }

  if (!zone) return;

  // ---- uploads ----
  var uploadsUrl = zone.getAttribute('data-uploads-url');
  var maxBytes = Number(zone.getAttribute('data-max-bytes'));
  var chunkBytes = Number(zone.getAttribute('data-chunk-bytes'));
  var input = zone.querySelector('[data-upload-input]');
  var list = document.querySelector('[data-upload-list]');
  var queue = [];
  var active = null;

  function percentOf(task, bytes) { return task.file.size ? Math.floor((bytes / task.file.size) * 100) : 100; }
  function setState(task, state, text) {
    task.row.className = state;
    task.row.setAttribute('data-state', state);
    task.state.textContent = text;
  }
  function showBytes(task, bytes) {
    task.progress.value = percentOf(task, bytes);
    setState(task, 'uploading', msg('videos.js.state.uploading', { percent: percentOf(task, bytes) }));
  }
  function finish(task, state, text) {
    setState(task, state, text);
    if (state === 'done') task.progress.value = 100;
    if (task.cancel.parentNode) task.cancel.parentNode.removeChild(task.cancel);
    if (active === task) { active = null; next(); }
  }
  function refuse(task, reason) { finish(task, 'refused', msg('videos.js.state.refused', { reason: reason })); }
  function fail(task, reason) { finish(task, 'failed', msg('videos.js.state.failed', { reason: reason })); }
  function serverError(status, data) { return status === 0 ? msg('common.js.error.network') : (data && data.error) || String(status); }

  // After a failure: wait (longer each time), ask the server where it stands, go on from there.
  function retry(task, again) {
    task.failures += 1;
    if (task.failures > BACKOFF_MS.length) return fail(task, msg('common.js.error.network'));
    var wait = BACKOFF_MS[task.failures - 1];
    setState(task, 'retrying', msg('videos.js.state.retrying', { seconds: Math.ceil(wait / 1000), attempt: task.failures, max: BACKOFF_MS.length }));
    task.timer = setTimeout(again, wait);
  }
  function resume(task) {
    if (task.cancelled) return;
    task.xhr = request('GET', task.url, undefined, function (status, data) {
      if (task.cancelled) return;
      if (status === 200 && data) return settle(task, data);
      if (status === 0 || status >= 500) return retry(task, function () { resume(task); });
      fail(task, serverError(status, data));
    });
  }
  // Acts on a session as the server reports it.
  function settle(task, session) {
    if (session.state === 'complete') { addToLibrary(session.video); return finish(task, 'done', msg('videos.js.state.done')); }
    if (session.state === 'refused') return refuse(task, session.error);
    if (task.failures) setState(task, 'resuming', msg('videos.js.state.resuming', { percent: percentOf(task, session.offset) }));
    sendFrom(task, session.offset);
  }
  function sendFrom(task, offset) {
    if (task.cancelled) return;
    var end = Math.min(offset + chunkBytes, task.file.size);
    var xhr = new XMLHttpRequest();
    task.xhr = xhr;
    xhr.open('PATCH', task.url);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Upload-Offset', String(offset));
    xhr.setRequestHeader('Content-Type', CHUNK_TYPE);
    xhr.upload.onprogress = function (e) {
      if (task.cancelled) return;
      if (offset + e.loaded >= task.file.size) setState(task, 'checking', msg('videos.js.state.checking'));
      else showBytes(task, offset + e.loaded);
    };
    xhr.onload = function () {
      if (task.cancelled) return;
      var data = parse(xhr.responseText);
      if (xhr.status === 200 && data) { task.failures = 0; task.conflicts = 0; return settle(task, data); }
      if (xhr.status === 422 && data) return refuse(task, data.error);
      // The server holds another offset (e.g. more of a chunk whose answer was lost): ask it and go on.
      if (xhr.status === 409 && (task.conflicts += 1) <= 3) return resume(task);
      if (xhr.status >= 500) return retry(task, function () { resume(task); });
      fail(task, serverError(xhr.status, data));
    };
    xhr.onerror = xhr.ontimeout = function () { if (!task.cancelled) retry(task, function () { resume(task); }); };
    xhr.send(task.file.slice(offset, end));
  }
  function start(task) {
    active = task;
    showBytes(task, 0);
    task.xhr = request('POST', uploadsUrl, { name: task.file.name, size: task.file.size }, function (status, data) {
      if (task.cancelled) return;
      if (status === 201 && data) { task.url = data.url; return settle(task, data); }
      if (status === 0 || status >= 500) return retry(task, function () { start(task); });
      refuse(task, serverError(status, data));
    });
  }
  function next() {
    if (active || !queue.length) return;
    start(queue.shift());
  }
  function cancel(task) {
    task.cancelled = true;
    clearTimeout(task.timer);
    if (task.xhr) task.xhr.abort();
    if (task.url) request('DELETE', task.url, undefined, function () {});
    var i = queue.indexOf(task);
    if (i >= 0) queue.splice(i, 1);
    finish(task, 'cancelled', msg('videos.js.state.cancelled'));
  }

  function add(file) {
    var row = el('li');
    row.setAttribute('data-upload', file.name);
    var task = { file: file, row: row, failures: 0, conflicts: 0, url: null, xhr: null, timer: null, cancelled: false };
    row.appendChild(el('span', file.name, 'name'));
    task.progress = el('progress');
    task.progress.max = 100; task.progress.value = 0;
    task.progress.setAttribute('aria-label', msg('videos.js.progress', { name: file.name }));
    row.appendChild(task.progress);
    task.cancel = el('button', msg('videos.js.cancel')); task.cancel.type = 'button';
    task.cancel.appendChild(el('span', ' ' + file.name, 'sr-only'));
    task.cancel.addEventListener('click', function () { cancel(task); });
    row.appendChild(task.cancel);
    task.state = el('span', null, 'state');
    row.appendChild(task.state);
    list.appendChild(row);
    // Fast refusals; the server's probe decides for everything else.
    if (file.size > maxBytes) return refuse(task, msg('videos.js.refused.size', { size: formatBytes(maxBytes) }));
    if (file.type && file.type.indexOf('video/') !== 0 && file.type !== 'application/octet-stream') return refuse(task, msg('videos.js.refused.type', { type: file.type }));
    setState(task, 'waiting', msg('videos.js.state.waiting'));
    queue.push(task);
    next();
  }
  function addAll(files) { for (var i = 0; i < files.length; i++) add(files[i]); }

  input.addEventListener('change', function () { addAll(input.files); input.value = ''; });
  zone.addEventListener('dragover', function (e) { e.preventDefault(); zone.classList.add('dragging'); });
  zone.addEventListener('dragleave', function () { zone.classList.remove('dragging'); });
  zone.addEventListener('drop', function (e) {
    e.preventDefault();
    zone.classList.remove('dragging');
    if (e.dataTransfer && e.dataTransfer.files) addAll(e.dataTransfer.files);
  });
})();`;
