/**
 * The platform doctor from the command line:
 *   npm run platform -- check <platform> --account <id>
 * Checks one account on one platform without publishing anything and prints one line per
 * step: `✓ name: detail`, or `✗ name: detail` with the screenshot and HTML of the page that
 * broke. Exits 0 when every step is fine, 1 when one broke, 2 on bad usage (an unknown
 * platform or account, an account on another platform, a site file that does not load).
 */
import { loadConfig } from '../config';
import { createBrowserPool } from '../platforms/browser-pool';
import { DoctorInputError, checkAccount } from '../platforms/doctor';
import type { DoctorReport, DoctorStep } from '../platforms/doctor-report';
import { createQuotaLedger } from '../platforms/official-api/quota';
import { getApiPlatform, platformOptions } from '../platforms/registry';
import { SiteFileError } from '../platforms/site-files';
import { openServices } from '../runtime';

const USAGE = 'usage: npm run platform -- check <platform> --account <id>';

/** One step as a line: `✓ sign-in: signed in as alice`, a broken one with where its evidence is. */
export function stepLine(step: DoctorStep): string {
  const evidence = [step.screenshotPath && `screenshot ${step.screenshotPath}`, step.htmlPath && `html ${step.htmlPath}`].filter(Boolean).join(', ');
  return `${step.ok ? '✓' : '✗'} ${step.name}: ${step.detail}${evidence ? ` (${evidence})` : ''}`;
}

function summary(report: DoctorReport): string {
  const broken = report.steps.filter((s) => !s.ok).length;
  const what = `${report.platform} account ${report.accountId}`;
  return broken ? `${what}: ${broken} of ${report.steps.length} step(s) broke; nothing was published` : `${what}: all ${report.steps.length} step(s) ok; nothing was published`;
}

async function check(platform: string, accountId: string): Promise<number> {
  const config = loadConfig();
  let platforms;
  try {
    platforms = platformOptions(config);
  } catch (err) {
    if (!(err instanceof SiteFileError)) throw err;
    console.error(err.message);
    return 2;
  }
  const services = await openServices(config, { name: 'clipfleet-platform', redisWaitMs: 1_000 });
  const browserPool = createBrowserPool({ ...config.browser, concurrency: 1 });
  try {
    const report = await checkAccount(
      {
        orm: services.orm,
        secrets: services.secrets,
        sites: platforms.sites,
        browserPool,
        outputDir: config.platforms.doctorDir,
        api: { orm: services.orm, connections: services.connections, quota: createQuotaLedger(services.orm), apiPlatform: (name) => getApiPlatform(name, platforms) },
      },
      platform,
      accountId,
    );
    for (const step of report.steps) console.log(stepLine(step));
    console.log(summary(report));
    return report.ok ? 0 : 1;
  } catch (err) {
    if (!(err instanceof DoctorInputError)) throw err;
    console.error(err.message);
    return 2;
  } finally {
    await browserPool.close();
    await services.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, platform, ...rest] = argv;
  const accountFlag = rest.indexOf('--account');
  const accountId = accountFlag >= 0 ? rest[accountFlag + 1] : undefined;
  if (command !== 'check' || !platform || platform.startsWith('-') || !accountId) {
    console.error(USAGE);
    return 2;
  }
  return check(platform, accountId);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
