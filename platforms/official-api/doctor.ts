/**
 * The platform doctor's check of an API account: is it connected, can its token be
 * refreshed, is it still the same account on the platform, what may it post (the
 * platform's own check: creator info, posting limits) and how much quota is left. Reads
 * only: nothing is created or published.
 */
import { Account } from '../../database/entities';
import type { Orm } from '../../database/orm';
import type { DoctorReport, DoctorStep } from '../doctor-report';
import type { ApiPlatform } from './api-platform';
import type { ConnectionStore } from './connections';
import type { QuotaLedger } from './quota';

export interface ApiDoctorDeps {
  orm: Orm;
  connections: ConnectionStore;
  quota: QuotaLedger;
  /** The API platform of a name (throws for a name that is not one). */
  apiPlatform(name: string): ApiPlatform;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Checks one API account step by step; a step that fails ends the check there (the rest depends on it). */
export async function checkApiAccount(deps: ApiDoctorDeps, accountId: string): Promise<DoctorReport> {
  const account = await deps.orm.em.fork().findOne(Account, accountId);
  if (!account) throw new Error(`no account "${accountId}"`);
  const platform = deps.apiPlatform(account.platform);
  const steps: DoctorStep[] = [];
  const report = (): DoctorReport => ({ platform: platform.name, accountId, kind: 'api', ok: steps.every((s) => s.ok), steps, published: false });
  const step = async (name: string, run: () => Promise<string | DoctorStep[]>): Promise<boolean> => {
    try {
      const result = await run();
      if (typeof result === 'string') steps.push({ name, ok: true, detail: result });
      else steps.push(...result);
      return steps.every((s) => s.ok);
    } catch (err) {
      steps.push({ name, ok: false, detail: messageOf(err) });
      return false;
    }
  };
  const signal = AbortSignal.timeout(60_000);

  if (
    !(await step('configured', async () =>
      platform.oauth ? `${platform.name}'s OAuth client is set (${platform.settings})` : Promise.reject(new Error(`not configured: set ${platform.settings}`)),
    ))
  )
    return report();
  let owner = { id: '', name: '' };
  if (
    !(await step('connection', async () => {
      owner = await deps.connections.identity(accountId);
      return `connected as ${owner.name} (${owner.id})`;
    }))
  )
    return report();
  if (
    !(await step('token refresh', async () => {
      const { expiresAt, refreshed } = await deps.connections.refreshNow(accountId);
      return refreshed
        ? `refreshed; the new access token is valid until ${expiresAt.toISOString()}`
        : `${platform.name} issues no refresh token; the access token is valid until ${expiresAt.toISOString()}, then the account must connect again`;
    }))
  )
    return report();
  if (
    !(await step('identity', async () => {
      const now = await platform.identify(await deps.connections.authorized(accountId), signal);
      if (now.id !== owner.id) throw new Error(`the token now acts as ${now.name} (${now.id}), not the connected ${owner.name} (${owner.id}): connect again`);
      return `still ${now.name} (${now.id})`;
    }))
  )
    return report();
  await step(`${platform.name} check`, async () => platform.check(await deps.connections.authorized(accountId), owner, signal));
  const q = platform.quota;
  if (q) {
    await step('quota', async () => {
      const project = q.per === 'account' ? `${q.project}:${accountId}` : q.project;
      const usage = await deps.quota.usage({ platform: platform.name, project, periodSeconds: q.periodSeconds });
      const left = Math.max(q.budget - usage.used, 0);
      const uploads = Math.floor(left / q.uploadCost);
      return `${q.label ?? 'quota'}: ${usage.used} of ${q.budget} used in ${usage.period}; room for ${uploads} more upload(s) before ${usage.resetsAt.toISOString()}`;
    });
  }
  return report();
}
