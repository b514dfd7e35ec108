/**
 * `GET /bulk-upload/<taskId>/logs` (with or without the trailing slash): a task's log (or one account's, `?account=`) as JSON,
 * as a page, or live as Server-Sent Events, chosen by the Accept header.
 *
 * The live stream polls the log store from its cursor every LOG_STREAM_POLL_MS rather than
 * holding a blocking XREAD per browser: XRANGE from a cursor is cheap, runs over the one
 * shared, non-blocking Redis client, and falls back to SQLite with the same cursor when
 * Redis is down, so an outage neither stalls the stream nor costs a connection each. A
 * shared XREAD reader would save the polls but would need fan-out and its own fallback;
 * for the handful of operators watching a bulk the poll costs nothing that matters.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { IdSchema } from '../../contracts/bulk-input';
import { bulkUploadWorkflowId } from '../../contracts/names';
import { BulkUploadTask } from '../../database/entities';
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
/** How often an idle stream asks Temporal whether the bulk has finished. */
const FINISHED_CHECK_MS = 3_000;

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
        await stream.write('retry: 2000\n\n');
        let lastWrite = Date.now();
        let lastFinishedCheck = 0;
        while (!stream.aborted && !stream.closed) {
          const { entries } = await deps.logStore.read(taskId, { accountId: account, after: cursor, limit: SSE_BATCH });
          for (const e of entries) {
            await stream.writeSSE({ id: e.id, event: 'log', data: JSON.stringify(e) });
            cursor = e.id;
            lastWrite = Date.now();
          }
          if (entries.length === SSE_BATCH) continue;
          if (entries.length === 0 && Date.now() - lastFinishedCheck >= FINISHED_CHECK_MS) {
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
          await stream.sleep(poll);
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
