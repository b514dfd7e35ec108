/**
 * `GET /bulk-upload/<taskId>/logs` (with or without the trailing slash): a task's log (or one account's, `?account=`) as JSON,
 * as a page, or live as Server-Sent Events, chosen by the Accept header.
 *
 * The live stream is pushed: it reads from its cursor, then waits on the log store's shared
 * blocking reader (`XREAD BLOCK` on every open stream's key at once, logs/log-tail.ts) and
 * reads again the moment a line is added, so a line reaches the page within milliseconds
 * and an idle stream costs nothing but its socket. Every read is an ordinary `read` from
 * the cursor, which answers from SQLite when Redis cannot prove its page complete (a gap,
 * a trimmed or expired stream), so the one-cursor guarantee is the store's, not the
 * wake-up's. While the watch is not live (Redis is down, or the shared reader does not wait
 * on this stream's key yet) the stream polls every LOG_STREAM_POLL_MS, as it always did.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { IdSchema } from '../../contracts/bulk-input';
import { bulkUploadWorkflowId } from '../../contracts/names';
import { BulkUploadTask } from '../../database/entities';
import type { LogEntry } from '../../logs/log-store';
import type { ApiDeps } from '../deps';
import { protectedRoute } from '../openapi';
import { TaskParam, createRouter, errorResponses } from '../validation';
import { htmlPage } from '../views/layout';
import { LogsPage } from '../views/logs-page';

const Cursor = z.string().regex(/^(?:db-)?\d{1,15}$/, 'must be the id of a log line');
const LogsQuery = z.object({
  account: IdSchema.optional().openapi({ description: "only this account's lines" }),
  after: Cursor.optional().openapi({ description: 'cursor: the id of the last line seen' }),
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
});
const LogsHeaders = z.object({ 'last-event-id': Cursor.optional().openapi({ description: "SSE: the browser's reconnect cursor; wins over `after`" }) });

const logsRoute = protectedRoute({
  method: 'get',
  path: '/bulk-upload/{taskId}/logs',
  summary: 'Log lines: JSON, an HTML page, or live Server-Sent Events, by the Accept header',
  description:
    'SSE events are `log` (id = the line cursor; reconnect with `Last-Event-ID` to resume) and `done` once the bulk has finished. The path answers with or without a trailing slash.',
  request: { params: TaskParam, query: LogsQuery, headers: LogsHeaders },
  responses: {
    200: {
      description: 'the lines after the cursor',
      content: { 'application/json': { schema: { type: 'object' } }, 'text/html': { schema: { type: 'string' } }, 'text/event-stream': { schema: { type: 'string' } } },
    },
    ...errorResponses({ 400: 'the task id, account, cursor or limit is invalid' }),
  },
});

/** Lines per SSE read: large enough to catch up fast, small enough to interleave clients. */
const SSE_BATCH = 500;
const KEEPALIVE_MS = 15_000;
/** How often a stream asks Temporal whether the bulk has finished while its lines flow, and for a while after. */
const FINISHED_CHECK_MS = 3_000;
/**
 * How often an idle stream asks. A bulk's workflow writes its last line just before it
 * closes, so the check that follows that line sees the end; this slower one only catches
 * a workflow ended from outside (terminated) without a word.
 */
const IDLE_FINISHED_CHECK_MS = 30_000;
/**
 * The longest a stream trusts the push after a read Redis could not answer (SQLite did): a
 * line that reached only SQLite (a write during a Redis blip) wakes nobody.
 */
const UNPROVEN_WAIT_MS = 1_000;

/** Which representation a request wants. */
export function negotiateLogFormat(accept: string | undefined): 'sse' | 'html' | 'json' {
  const a = (accept ?? '').toLowerCase();
  if (a.includes('text/event-stream')) return 'sse';
  if (a.includes('text/html')) return 'html';
  return 'json';
}

/** The logs endpoint in its three forms. */
export function logRoutes(deps: ApiDeps) {
  const app = createRouter();

  /** True once the bulk's workflow has closed: every line it will ever write is stored. */
  async function bulkClosed(taskId: string): Promise<boolean> {
    try {
      const { status } = await deps.temporal.workflow.getHandle(bulkUploadWorkflowId(taskId)).describe();
      return status.name !== 'RUNNING';
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      return Boolean((await deps.orm.em.fork().findOne(BulkUploadTask, taskId, { fields: ['finishedAt'] }))?.finishedAt);
    }
  }

  app.openapi(logsRoute, async (c) => {
    const { taskId } = c.req.valid('param');
    const { account, after, limit } = c.req.valid('query');
    const format = negotiateLogFormat(c.req.header('accept'));

    if (format === 'json') {
      const { entries, source } = await deps.logStore.read(taskId, { accountId: account, after, limit });
      return c.json({ taskId, accountId: account ?? null, source, entries, next: entries.at(-1)?.id ?? after ?? null }, 200);
    }

    if (format === 'html') {
      const { entries } = await deps.logStore.read(taskId, { accountId: account, after, limit });
      return htmlPage(c, <LogsPage taskId={taskId} accountId={account} entries={entries} />);
    }

    // The browser's own reconnect sends Last-Event-ID; it wins over the `after` of the URL
    // the page was opened with, which is older.
    let cursor = c.req.valid('header')['last-event-id'] ?? after;
    const poll = deps.config.api.logPollMs;
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(
      c,
      async (stream) => {
        // Watching starts before the first read, so a line added in between still wakes it.
        const watch = deps.logStore.follow?.(taskId, { accountId: account, after: cursor });
        const gone = new AbortController();
        stream.onAbort(() => gone.abort());
        try {
          await stream.write('retry: 2000\n\n');
          let lastWrite = Date.now();
          let lastLine = Date.now();
          let lastFinishedCheck = 0;
          let source: 'redis' | 'database' = 'database';
          let mayHaveLines = true;
          while (!stream.aborted && !stream.closed) {
            // A wait that no line ended adds nothing to read: an idle stream reads nothing.
            const page: { entries: LogEntry[]; source: 'redis' | 'database' } = mayHaveLines
              ? await deps.logStore.read(taskId, { accountId: account, after: cursor, limit: SSE_BATCH })
              : { entries: [], source };
            const entries = page.entries;
            source = page.source;
            for (const e of entries) {
              await stream.writeSSE({ id: e.id, event: 'log', data: JSON.stringify(e) });
              cursor = e.id;
            }
            if (entries.length) lastWrite = lastLine = Date.now();
            if (entries.length === SSE_BATCH) continue;
            const checkEvery = Date.now() - lastLine < 2 * FINISHED_CHECK_MS ? FINISHED_CHECK_MS : IDLE_FINISHED_CHECK_MS;
            if (entries.length === 0 && Date.now() - lastFinishedCheck >= checkEvery) {
              lastFinishedCheck = Date.now();
              if (await bulkClosed(taskId)) {
                // Closed after the read above: one more read catches lines written in between.
                const rest = await deps.logStore.read(taskId, { accountId: account, after: cursor, limit: 10_000 });
                for (const e of rest.entries) await stream.writeSSE({ id: e.id, event: 'log', data: JSON.stringify(e) });
                await stream.writeSSE({ event: 'done', data: JSON.stringify({ taskId }) });
                return;
              }
            }
            if (Date.now() - lastWrite >= KEEPALIVE_MS) {
              await stream.write(': keep-alive\n\n');
              lastWrite = Date.now();
            }
            // Until the next keep-alive or finished check, whichever comes first; sooner when
            // nothing can push (Redis down) or the push could be missing a line.
            let wait = Math.max(0, Math.min(lastWrite + KEEPALIVE_MS, lastFinishedCheck + checkEvery) - Date.now());
            if (!watch?.live) wait = Math.min(wait, poll);
            else if (source === 'database') wait = Math.min(wait, UNPROVEN_WAIT_MS);
            if (watch) {
              const pushed = await watch.next(wait, gone.signal);
              mayHaveLines = pushed || !watch.live || source === 'database';
            } else {
              await stream.sleep(wait);
            }
          }
        } finally {
          watch?.close();
        }
      },
      async (err, stream) => {
        console.error(`api: log stream of ${taskId} failed:`, err);
        await stream.writeSSE({ event: 'error', data: JSON.stringify({ error: 'log stream failed; reconnect to resume' }) });
      },
    );
  });

  return app;
}
