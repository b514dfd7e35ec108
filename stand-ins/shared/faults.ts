/**
 * The bookkeeping every stand-in's faults share: settings posted to `/_stand-in/faults` stay until
 * used up or reset, counted faults spend one use per request, one-shot faults end when taken. What
 * a fault does, and the provider's answer for it, stay in each provider's faults.ts.
 */

/** A fault that answers the next `count` requests. */
interface Counted {
  count: number;
}

/** The standing faults every stand-in offers, beside its own. */
export interface CommonStandingFaults {
  /** One-shot: the next upload has its connection destroyed once this many body bytes arrived. */
  cutAfterBytes?: number;
  /** Upload bodies are read no faster than this; 0 or absent is unthrottled. */
  bytesPerSecond?: number;
  failNext?: Counted;
  rateLimitNext?: Counted;
}

/** The live standing faults of one stand-in; a provider's `Faults` adds its merge and its answers. */
export class FaultState<Standing extends CommonStandingFaults> {
  protected current: Partial<Standing> = {};

  /** Back to a well-behaved server. */
  reset(): void {
    this.current = {};
  }

  /** What is still switched on. */
  report(): Partial<Standing> {
    return { ...this.current };
  }

  /** The armed cut, if any; `fired` disarms it once it has cut a connection. */
  get cutAfterBytes(): number | undefined {
    return this.current.cutAfterBytes;
  }

  fired(): void {
    delete this.current.cutAfterBytes;
  }

  get bytesPerSecond(): number {
    return this.current.bytesPerSecond ?? 0;
  }

  /** Adds posted standing faults to those still on; a setting posted again replaces the old one. */
  protected keep(standing: Partial<Standing>): void {
    this.current = { ...this.current, ...standing };
  }

  /** The counted fault under `key` while it has uses left, spending one. */
  protected spend<K extends 'failNext' | 'rateLimitNext'>(key: K): Partial<Standing>[K] | undefined {
    const fault = this.current[key];
    if (!fault || fault.count <= 0) return undefined;
    this.current[key] = { ...fault, count: fault.count - 1 };
    return fault;
  }

  /** A one-shot fault, cleared as it is taken. */
  protected take<K extends keyof Standing>(key: K): Partial<Standing>[K] {
    const fault = this.current[key];
    delete this.current[key];
    return fault;
  }
}
