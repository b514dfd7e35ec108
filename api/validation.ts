/**
 * Request validation for every route: zod schemas through `zValidator`, with one error
 * shape — 400 `{ error, issues: [{ field, message }] }` — so a client always learns which
 * field is wrong and why.
 */
import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { z } from 'zod';
import { describeIssues } from '../contracts/bulk-input';

/** `zValidator` with clipfleet's 400 body. */
export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(target: Target, schema: Schema) {
  return zValidator(target, schema, (result, c) => {
    if (!result.success) {
      const issues = describeIssues(result.error);
      return c.json({ error: `invalid ${target}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, issues }, 400);
    }
  });
}

/** A 400 for one field, for checks that need more than a schema (e.g. a path on disk). */
export function fieldError(field: string, message: string) {
  return { error: `invalid json: ${field}: ${message}`, issues: [{ field, message }] };
}
