/**
 * Misbehaviour on demand, so reliability tests can watch clipfleet survive a flaky platform.
 * Faults apply to the site (sign-in, upload, posts pages), never to `/api/*`.
 */
import { z } from 'zod';

export const FaultSettingsSchema = z.strictObject({
  /** Share (0..1) of site requests answered with 503 before anything else happens. */
  failRate: z.number().min(0).max(1).optional(),
  /** The next N site requests are answered with 503 (counted down), for exact tests. */
  failNext: z.number().int().min(0).max(1_000).optional(),
  /** Delay before an upload is processed. */
  slowUploadMs: z.number().int().min(0).max(600_000).optional(),
  /** POST /upload never answers and publishes nothing. */
  hangUploads: z.boolean().optional(),
  /** POST /upload publishes, then never answers: the lost-response case a retry must survive. */
  hangAfterUpload: z.boolean().optional(),
});
export type FaultSettings = z.infer<typeof FaultSettingsSchema>;

/** The live fault settings of one platform, and the requests they are holding open. */
export class Faults {
  private current: FaultSettings = {};
  private served = 0;
  private readonly releases = new Set<() => void>();

  /** Replaces every setting: a POST describes the whole fault set, so tests need no cleanup order. */
  set(settings: FaultSettings): void {
    this.current = { ...settings };
  }

  /** Back to a well-behaved platform; requests already held stay held until released. */
  reset(): void {
    this.current = {};
  }

  get settings(): Readonly<FaultSettings> {
    return this.current;
  }

  /** The settings, how many site requests were answered with 503 since the platform started, and how many are held open now. */
  report(): FaultSettings & { served503: number; held: number } {
    return { ...this.current, served503: this.served, held: this.releases.size };
  }

  /** Decides whether one site request is answered with 503 (and counts it when it is). */
  shouldFail(): boolean {
    const next = this.current.failNext ?? 0;
    const rate = this.current.failRate ?? 0;
    const fail = next > 0 || (rate > 0 && Math.random() < rate);
    if (next > 0) this.current = { ...this.current, failNext: next - 1 };
    if (fail) this.served++;
    return fail;
  }

  /**
   * Holds a request for `ms` (or forever), ending early when the client goes away or the
   * platform closes: `elapsed` when the time ran out, `released` when it ended early.
   */
  hold(signal: AbortSignal, ms?: number): Promise<'elapsed' | 'released'> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (how: 'elapsed' | 'released'): void => {
        clearTimeout(timer);
        this.releases.delete(release);
        signal.removeEventListener('abort', release);
        resolve(how);
      };
      const release = (): void => finish('released');
      if (signal.aborted) return resolve('released');
      this.releases.add(release);
      signal.addEventListener('abort', release);
      if (ms !== undefined) timer = setTimeout(() => finish('elapsed'), ms);
    });
  }

  /** Ends every held request, so a server can close. */
  releaseAll(): void {
    for (const release of [...this.releases]) release();
  }
}
