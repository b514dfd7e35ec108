/**
 * The database copy of the log (`LogLine`, reached as `BulkUploadTask.log` /
 * `BulkUploadAccount.log`): written first, deduplicated by the writer's key so a retry adds
 * nothing, and complete, so every read the Redis copy cannot prove is answered here.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { BulkUploadAccount, LogLine } from '../database/entities';
import type { Orm } from '../database/orm';
import { createAccountRowIds } from './account-row-ids';
import type { LogEntry, PendingLine, PreviousRowIds } from './log-line';

/** The log's table. */
export interface LogDatabase {
  /** Row id of an account of a task; throws when the account is not part of the task. */
  accountRowId(taskId: string, accountId: string): Promise<number>;
  /**
   * Inserts the lines in one statement; their row ids in order, or null when their sourceKeys
   * were already written (a batch's keys are written together or not at all).
   */
  insert(lines: PendingLine[]): Promise<number[] | null>;
  /** For each new line of a task, the row ids of the line before it in its task and in its account. */
  previousRowIds(taskId: string, ids: number[], accountRows: (number | null)[]): Promise<PreviousRowIds[]>;
  /** Lines of a task (or of one account in it) after a row id, oldest first. */
  read(taskId: string, accountId: string | undefined, after: number, limit: number): Promise<LogEntry[]>;
}

/** The log's table over an ORM owned by the caller. */
export function createLogDatabase(orm: Orm): LogDatabase {
  const accountRowIds = createAccountRowIds(async (taskId, accountId) => {
    const row = await orm.em.fork().findOne(BulkUploadAccount, { task: taskId, accountId }, { fields: ['id'] });
    if (!row) throw new Error(`cannot log for account ${accountId}: it is not part of task ${taskId}`);
    return row.id;
  });

  return {
    accountRowId: (taskId, accountId) => accountRowIds.get(taskId, accountId),

    async insert(lines) {
      // The query builder's insert returns every new id (RETURNING); `em.insertMany` on SQLite
      // returns only the last one.
      const qb = orm.em
        .fork()
        .createQueryBuilder(LogLine)
        .insert(
          lines.map((line) => ({
            task: line.taskId,
            account: line.accountRow,
            sourceKey: line.sourceKey ?? null,
            time: line.time,
            level: line.level,
            message: line.message,
          })),
        );
      try {
        const res = await qb.execute('run');
        // Rows get ascending ids in the order given; RETURNING's own order is not promised.
        return (res.rows ?? []).map((r) => Number((r as { id: unknown }).id)).sort((a, b) => a - b);
      } catch (err) {
        // Query builders hand back the driver's raw error: convert it to tell a duplicate apart.
        const converted = err instanceof Error ? orm.em.getDriver().convertException(err) : err;
        if (converted instanceof UniqueConstraintViolationException) return null;
        throw converted;
      }
    },

    /**
     * One query finds the last line of every stream before the batch (plain SQL on the
     * migration's table and columns, which SQLite and PostgreSQL both run). When the batch's
     * ids are not consecutive another writer's lines sit between them, and those are read
     * back rather than assumed. This relies on ids being committed in order, which SQLite's
     * single writer guarantees; on PostgreSQL two writers of one task can commit out of id
     * order, and the Redis copy can then miss the later-committed line for good (the
     * database copy is complete). A per-task advisory lock would close that; not done yet.
     */
    async previousRowIds(taskId, ids, accountRows) {
      const first = ids[0]!;
      const last = ids[ids.length - 1]!;
      const accounts = [...new Set(accountRows.filter((r): r is number => r !== null))];
      const conn = orm.em.getConnection();
      const before = await conn.execute<Record<string, number | string | null>>(
        [
          'select (select max(id) from log_line where task_id = ? and id < ?) as t',
          ...accounts.map((_, i) => `(select max(id) from log_line where account_id = ? and id < ?) as a${i}`),
        ].join(', '),
        [taskId, first, ...accounts.flatMap((a) => [a, first])],
        'get',
      );
      let taskPrev = Number(before.t ?? 0);
      const accountPrev = new Map(accounts.map((a, i) => [a, Number(before[`a${i}`] ?? 0)]));
      const mine = ids.map((id, i) => ({ id, account: accountRows[i] ?? null }));
      const others: { id: number; account: number | null }[] = [];
      if (last - first + 1 !== ids.length) {
        const between = await conn.execute<{ id: number; account_id: number | null }[]>(
          'select id, account_id from log_line where task_id = ? and id > ? and id < ?',
          [taskId, first, last],
          'all',
        );
        for (const r of between) if (!ids.includes(Number(r.id))) others.push({ id: Number(r.id), account: r.account_id === null ? null : Number(r.account_id) });
      }
      const all = [...others, ...mine].sort((a, b) => a.id - b.id);
      const prevById = new Map<number, PreviousRowIds>();
      for (const line of all) {
        prevById.set(line.id, { task: taskPrev, account: line.account === null ? 0 : (accountPrev.get(line.account) ?? 0) });
        taskPrev = line.id;
        if (line.account !== null && accountPrev.has(line.account)) accountPrev.set(line.account, line.id);
      }
      return ids.map((id) => prevById.get(id)!);
    },

    async read(taskId, accountId, after, limit) {
      const em = orm.em.fork();
      const where = accountId ? { task: taskId, account: { accountId }, id: { $gt: after } } : { task: taskId, id: { $gt: after } };
      const rows = await em.find(LogLine, where, { orderBy: { id: 'asc' }, limit, populate: ['account'] });
      return rows.map((r) => ({
        id: String(r.id),
        time: r.time.toISOString(),
        level: r.level,
        taskId,
        accountId: r.account?.accountId,
        message: r.message,
      }));
    },
  };
}
