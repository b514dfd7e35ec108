/** Huntflow accounts, vacancies and candidates (applicants), read through the cache. */
import type { CacheResult, CacheService } from '../../cache';
import {
  HuntflowAccounts,
  HuntflowApplicantPage,
  HuntflowVacancyPage,
  type HuntflowAccount,
  type HuntflowApplicant,
  type HuntflowClient,
  type HuntflowPage,
  type HuntflowVacancy,
} from './huntflow-client';

/** Huntflow data read through the cache; each method is keyed by user id and its parameters. */
export class HuntflowAPICache {
  constructor(
    private readonly cache: CacheService,
    private readonly client: HuntflowClient,
  ) {}

  /** The organisations the token's user belongs to. */
  accounts(q: { userId: string; refresh?: boolean }): Promise<CacheResult<HuntflowAccount[]>> {
    return this.cache.getOrFetch({ service: 'huntflow_accounts', userId: q.userId }, () => this.client.accounts(), { schema: HuntflowAccounts, refresh: q.refresh });
  }

  /** One page of an account's vacancies. */
  vacancies(q: { userId: string; accountId: number; page?: number; count?: number; state?: string; refresh?: boolean }): Promise<CacheResult<HuntflowPage<HuntflowVacancy>>> {
    const params = { accountId: q.accountId, page: q.page ?? 1, count: q.count ?? 30, state: q.state };
    return this.cache.getOrFetch({ service: 'huntflow_vacancies', userId: q.userId, params }, () => this.client.vacancies(q.accountId, params), {
      schema: HuntflowVacancyPage,
      refresh: q.refresh,
    });
  }

  /** One page of an account's candidates, optionally of one vacancy or status. */
  candidates(q: {
    userId: string;
    accountId: number;
    page?: number;
    count?: number;
    vacancyId?: number;
    status?: number;
    refresh?: boolean;
  }): Promise<CacheResult<HuntflowPage<HuntflowApplicant>>> {
    const params = { accountId: q.accountId, page: q.page ?? 1, count: q.count ?? 30, vacancyId: q.vacancyId, status: q.status };
    return this.cache.getOrFetch({ service: 'huntflow_candidates', userId: q.userId, params }, () => this.client.applicants(q.accountId, params), {
      schema: HuntflowApplicantPage,
      refresh: q.refresh,
    });
  }
}
