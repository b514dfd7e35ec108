/**
 * A small Huntflow API v2 client: accounts (organisations), vacancies and applicants of an
 * account. Bearer token; on `token_expired` it refreshes once through `/token/refresh`
 * (concurrent calls share that one refresh) and retries; a 429 is retried after the
 * server's Retry-After, within limits, so a rate limit slows us down instead of failing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Config } from '../../config';

// Shapes as Huntflow sends them, unknown fields stripped. No renaming: the cache stores this
// output and checks it with the same schema on the way back, so parsing must be idempotent.
const Account = z.object({ id: z.number().int(), name: z.string(), nick: z.string().nullish() });
const Vacancy = z.object({ id: z.number().int(), position: z.string(), company: z.string().nullish(), state: z.string().nullish(), created: z.string().nullish() });
const Applicant = z.object({
  id: z.number().int(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  middle_name: z.string().nullish(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  position: z.string().nullish(),
  company: z.string().nullish(),
  created: z.string().nullish(),
  links: z.array(z.object({ vacancy: z.number().int(), status: z.number().int() })).nullish(),
});
const page = <T extends z.ZodType>(item: T) => z.object({ page: z.number().int().default(1), total_pages: z.number().int().default(1), items: z.array(item) });

/** Response shapes, also used to check values read back from the cache. */
export const HuntflowAccounts = z.array(Account);
export const HuntflowVacancyPage = page(Vacancy);
export const HuntflowApplicantPage = page(Applicant);
export type HuntflowAccount = z.infer<typeof Account>;
export type HuntflowPage<T> = { page: number; total_pages: number; items: T[] };
export type HuntflowVacancy = z.infer<typeof Vacancy>;
export type HuntflowApplicant = z.infer<typeof Applicant>;

const AccountsResponse = z.object({ items: HuntflowAccounts });
const TokenResponse = z.object({ access_token: z.string().min(1), refresh_token: z.string().min(1).optional(), expires_in: z.number().optional() });
const ErrorBody = z.object({ errors: z.array(z.object({ type: z.string().optional(), title: z.string().optional(), detail: z.string().nullish() })).optional() }).loose();

/** A Huntflow call failed; `status` is the HTTP status (0 for a network error). */
export class HuntflowError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'HuntflowError';
  }
}

/** No Huntflow token is configured; the message names the setting. */
export class HuntflowNotConfiguredError extends HuntflowError {
  constructor() {
    super('Huntflow is not configured: set HUNTFLOW_ACCESS_TOKEN (and HUNTFLOW_REFRESH_TOKEN to renew it)', 401);
    this.name = 'HuntflowNotConfiguredError';
  }
}

/** Settings of a Huntflow client. */
export interface HuntflowClientOptions {
  baseUrl: string;
  accessToken?: string;
  refreshToken?: string;
  maxRetries?: number;
  maxRetryAfterSeconds?: number;
  /**
   * Called with the new tokens after a refresh. Huntflow rotates refresh tokens, so a
   * process that wants to survive a restart must save them somewhere (they stay in memory).
   */
  onTokens?: (tokens: { accessToken: string; refreshToken?: string }) => void;
  log?: (message: string) => void;
}

/** Builds client options from config. */
export function huntflowOptionsFromConfig(huntflow: Config['huntflow']): HuntflowClientOptions {
  return {
    baseUrl: huntflow.baseUrl,
    accessToken: huntflow.accessToken,
    refreshToken: huntflow.refreshToken,
    maxRetries: huntflow.maxRetries,
    maxRetryAfterSeconds: huntflow.maxRetryAfterSeconds,
  };
}

/** The Huntflow v2 API, the parts the cache reads. */
export class HuntflowClient {
  private accessToken?: string;
  private refreshToken?: string;
  private refreshing?: Promise<void>;
  private readonly baseUrl: string;
  private readonly maxRetries: number;
  private readonly maxRetryAfterMs: number;
  private readonly opts: HuntflowClientOptions;

  constructor(opts: HuntflowClientOptions) {
    this.opts = opts;
    this.baseUrl = opts.baseUrl.replace(/\/$/, '');
    this.accessToken = opts.accessToken;
    this.refreshToken = opts.refreshToken;
    this.maxRetries = opts.maxRetries ?? 3;
    this.maxRetryAfterMs = (opts.maxRetryAfterSeconds ?? 60) * 1000;
  }

  /** The organisations the token's user belongs to. */
  async accounts(): Promise<HuntflowAccount[]> {
    return (await this.get('/accounts', {}, AccountsResponse)).items;
  }

  /** One page of an account's vacancies. */
  async vacancies(accountId: number, q: { page?: number; count?: number; state?: string } = {}): Promise<HuntflowPage<HuntflowVacancy>> {
    return this.get(`/accounts/${accountId}/vacancies`, { page: q.page ?? 1, count: q.count ?? 30, state: q.state }, HuntflowVacancyPage);
  }

  /** One page of an account's applicants (candidates), optionally of one vacancy or status. */
  async applicants(accountId: number, q: { page?: number; count?: number; vacancyId?: number; status?: number } = {}): Promise<HuntflowPage<HuntflowApplicant>> {
    return this.get(`/accounts/${accountId}/applicants`, { page: q.page ?? 1, count: q.count ?? 30, vacancy: q.vacancyId, status: q.status }, HuntflowApplicantPage);
  }

  private async get<T extends z.ZodType>(path: string, query: Record<string, string | number | undefined>, schema: T): Promise<z.infer<T>> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      if (!this.accessToken) throw new HuntflowNotConfiguredError();
      const token = this.accessToken;
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }).catch((err: unknown) => {
        throw new HuntflowError(`Huntflow GET ${path} failed: ${err instanceof Error ? err.message : String(err)}`, 0);
      });
      if (res.ok) {
        const parsed = schema.safeParse(await res.json().catch(() => undefined));
        if (!parsed.success) throw new HuntflowError(`Huntflow GET ${path} answered an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`, res.status);
        return parsed.data;
      }
      const body = ErrorBody.safeParse(await res.json().catch(() => ({})));
      const errors = body.success ? (body.data.errors ?? []) : [];
      // A 401 for a token another call has meanwhile replaced is retried with the new one.
      const expired = errors.some((e) => e.detail === 'token_expired' || e.type === 'token_expired') || this.accessToken !== token;
      if (res.status === 401 && expired && !refreshed) {
        refreshed = true;
        await this.refreshOnce(token);
        continue;
      }
      if (res.status === 429 && attempt < this.maxRetries) {
        const waitMs = retryAfterMs(res.headers.get('retry-after')) ?? 1000 * 2 ** attempt;
        if (waitMs > this.maxRetryAfterMs)
          throw new HuntflowError(`Huntflow rate limit: asked to wait ${Math.ceil(waitMs / 1000)}s, more than HUNTFLOW_MAX_RETRY_AFTER_SECONDS`, 429);
        this.opts.log?.(`huntflow: 429 on GET ${path}; retrying in ${Math.ceil(waitMs / 1000)}s`);
        await sleep(waitMs);
        continue;
      }
      const detail = errors
        .map((e) => e.detail ?? e.title ?? e.type)
        .filter(Boolean)
        .join('; ');
      throw new HuntflowError(`Huntflow GET ${path} failed: ${res.status}${detail ? ` ${detail}` : ` ${res.statusText}`}`, res.status);
    }
  }

  /** One refresh for all the calls that saw the same expired token. */
  private async refreshOnce(expiredToken: string): Promise<void> {
    if (this.accessToken !== expiredToken) return;
    this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
    await this.refreshing;
  }

  private async refresh(): Promise<void> {
    if (!this.refreshToken) throw new HuntflowError('Huntflow access token expired and HUNTFLOW_REFRESH_TOKEN is not set', 401);
    const res = await fetch(`${this.baseUrl}/token/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ refresh_token: this.refreshToken }),
    });
    const parsed = TokenResponse.safeParse(await res.json().catch(() => undefined));
    if (!res.ok || !parsed.success)
      throw new HuntflowError(`Huntflow token refresh failed (${res.status}); set a new HUNTFLOW_ACCESS_TOKEN and HUNTFLOW_REFRESH_TOKEN`, res.ok ? 502 : res.status);
    this.accessToken = parsed.data.access_token;
    this.refreshToken = parsed.data.refresh_token ?? this.refreshToken;
    this.opts.log?.('huntflow: access token refreshed');
    this.opts.onTokens?.({ accessToken: this.accessToken, refreshToken: parsed.data.refresh_token });
  }
}

/** Retry-After in ms: seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
