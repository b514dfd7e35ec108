/**
 * A node:test reporter for scripts/test.sh: one line per test file, `<seconds>\t<pass|fail>\t<file>`
 * (the file's whole run, its process's start-up included; the path relative to the working
 * directory, or absolute outside it). The run's summary names the files that failed from it, and
 * CLIPFLEET_TEST_DURATIONS writes scripts/test-durations.txt from it.
 *
 * JavaScript, not TypeScript: Node 20 loads a reporter before tsx's hooks are in place.
 */
import path from 'node:path';

/**
 * @param {AsyncIterable<{ type: string; data: { name: string; nesting: number; file?: string; details: { duration_ms: number; passed: boolean } } }>} source
 * @returns {AsyncGenerator<string>}
 */
export default async function* testFileReport(source) {
  for await (const { type, data } of source) {
    // The runner's own test for a file (its process) is named after the file: the absolute
    // path on Node 20, the path relative to the working directory on Node 22 and later.
    if (type === 'test:complete' && data.nesting === 0 && data.file && path.resolve(data.name) === data.file) {
      const relative = path.relative(process.cwd(), data.file);
      yield `${(data.details.duration_ms / 1000).toFixed(1)}\t${data.details.passed ? 'pass' : 'fail'}\t${relative.startsWith('..') ? data.file : relative}\n`;
    }
  }
}
