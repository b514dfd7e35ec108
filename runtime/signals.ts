/** How a small server process (the demo platform, the local YouTube) ends: on SIGINT or SIGTERM, after closing cleanly. */

/** Closes with `close()` on the first SIGINT or SIGTERM, then exits 0 (or 1, saying why, when closing failed). */
export function closeOnSignals(name: string, close: () => Promise<void>): void {
  const stop = (): void => {
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`${name}: failed to close cleanly:`, err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
