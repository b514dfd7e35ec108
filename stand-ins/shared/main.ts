/** Command-line plumbing for running a stand-in alone (each provider's main.ts). */

/** The options every stand-in takes, for `parseArgs`, beside its own client credentials and knobs. */
export const COMMON_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'data-dir': { type: 'string' },
} as const;

/** A non-negative integer option, or undefined when not given; `usage` ends the error a person sees. */
export function integerOption(name: string, value: string | undefined, usage: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a non-negative integer, not ${value}\n${usage}`);
  return Number(value);
}

/** Runs a stand-in's `main`; a failure to start prints why (no stack: it is a usage or listen error) and exits 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
