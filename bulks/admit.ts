/**
 * Admission: every check that can be made before a bulk starts, so bad input is refused in
 * the request that sent it, naming the field, instead of failing minutes later in a
 * workflow. The API and the CLI admit through here; the workflow repeats its own checks for
 * bulks started with `temporal workflow start`.
 */
import type { Config } from '../config';
import { BulkInputError, parseBulkUploadInput, type BulkUploadInput } from '../contracts/bulk-input';
import { Account, BulkUploadTask, OAuthConnection } from '../database/entities';
import type { Orm } from '../database/orm';
import { MediaError, probe, resolveVideoPath } from '../media';
import { isKnownPlatform, knownPlatformNames, platformKind, type BrowserPlatformNames } from '../contracts/platforms';
import type { ApiPlatform } from '../platforms/official-api/api-platform';
import type { FieldIssue } from './errors';
import { bulkFingerprint } from './fingerprint';

/** At most this many problems are listed; a roster of 10,000 unknown ids is summed up. */
const MAX_ISSUES = 50;
/** Videos probed at once: ffprobe is quick, but a bulk may name a hundred files. */
const PROBES_AT_ONCE = 4;
const ID_CHUNK = 500;

/** A bulk that passed admission: its normalised input and fingerprint. */
export interface AdmittedBulk {
  input: BulkUploadInput;
  fingerprint: string;
}

export interface AdmitDeps {
  orm: Orm;
  media: Pick<Config['media'], 'root' | 'maxVideoBytes'>;
  /** The browser platforms this process loaded (the site files in PLATFORMS_DIR). */
  browserPlatforms: BrowserPlatformNames;
  /** An API platform by name (is its OAuth client configured?). */
  apiPlatform(name: string): Pick<ApiPlatform, 'oauth' | 'settings'>;
}

/**
 * Checks a bulk request: the schema, the platform, every video (under MEDIA_ROOT, a file,
 * within the size limit, a video by ffprobe) and every account (exists, on that platform,
 * and for an API platform: connected, with the platform configured).
 * Throws {@link BulkInputError} listing each bad field, e.g.
 * `accountIds.3: unknown account "zed": create it first with PUT /accounts`.
 */
export async function admitBulk(deps: AdmitDeps, raw: unknown): Promise<AdmittedBulk> {
  const input = parseBulkUploadInput(raw);
  const issues: FieldIssue[] = [];
  if (!isKnownPlatform(input.platform, deps.browserPlatforms)) {
    issues.push({
      field: 'platform',
      message: `unknown platform "${input.platform}"; known: ${knownPlatformNames(deps.browserPlatforms).join(', ')} (a browser platform needs a site file in PLATFORMS_DIR)`,
    });
  } else if (platformKind(input.platform) === 'api' && !input.options.dryRun) {
    const platform = deps.apiPlatform(input.platform);
    if (!platform.oauth) issues.push({ field: 'platform', message: `${input.platform} is not configured on this server: set ${platform.settings} (see the README, "Platforms")` });
  }
  issues.push(...(await videoIssues(deps.media, input)));
  issues.push(...(await accountIssues(deps.orm, input)));
  if (issues.length > MAX_ISSUES) {
    const more = issues.length - MAX_ISSUES;
    issues.splice(MAX_ISSUES, issues.length, { field: '(input)', message: `and ${more} more problem(s) like these` });
  }
  if (issues.length) throw new BulkInputError(issues);
  return { input, fingerprint: bulkFingerprint(input) };
}

async function videoIssues(media: AdmitDeps['media'], input: BulkUploadInput): Promise<FieldIssue[]> {
  const issues: (FieldIssue | undefined)[] = new Array(input.videos.length);
  let next = 0;
  const checkNext = async (): Promise<void> => {
    while (next < input.videos.length) {
      const i = next++;
      const video = input.videos[i]!;
      try {
        const file = await resolveVideoPath(media.root, video.path, media.maxVideoBytes);
        await probe(file, { displayPath: video.path });
      } catch (err) {
        if (!(err instanceof MediaError)) throw err;
        issues[i] = { field: `videos.${i}.path`, message: err.message };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROBES_AT_ONCE, input.videos.length) }, checkNext));
  return issues.filter((x): x is FieldIssue => x !== undefined);
}

async function accountIssues(orm: Orm, input: BulkUploadInput): Promise<FieldIssue[]> {
  const em = orm.em.fork();
  const platformOf = new Map<string, string>();
  for (let i = 0; i < input.accountIds.length; i += ID_CHUNK) {
    const ids = input.accountIds.slice(i, i + ID_CHUNK);
    for (const a of await em.find(Account, { id: { $in: ids } }, { fields: ['id', 'platform'] })) platformOf.set(a.id, a.platform);
  }
  // An API account publishes only once connected; a rehearsal (dryRun) reaches no platform.
  const connections = new Map<string, Pick<OAuthConnection, 'status' | 'lastError'>>();
  if (platformKind(input.platform) === 'api' && !input.options.dryRun) {
    for (let i = 0; i < input.accountIds.length; i += ID_CHUNK) {
      const ids = input.accountIds.slice(i, i + ID_CHUNK);
      for (const c of await em.find(OAuthConnection, { accountId: { $in: ids } }, { fields: ['accountId', 'status', 'lastError'] })) connections.set(c.accountId, c);
    }
  }
  const issues: FieldIssue[] = [];
  input.accountIds.forEach((id, i) => {
    const platform = platformOf.get(id);
    const connect = `connect it on the dashboard's Accounts page (or POST /accounts/${id}/connect)`;
    if (platform === undefined) issues.push({ field: `accountIds.${i}`, message: `unknown account "${id}": create it first with PUT /accounts` });
    else if (platform !== input.platform) issues.push({ field: `accountIds.${i}`, message: `account "${id}" is on ${platform}, not ${input.platform}` });
    else if (platformKind(platform) === 'api' && !input.options.dryRun) {
      const connection = connections.get(id);
      if (!connection) issues.push({ field: `accountIds.${i}`, message: `account "${id}" is not connected to ${platform}: ${connect}` });
      else if (connection.status === 'needs_reconnect') {
        issues.push({ field: `accountIds.${i}`, message: `account "${id}" must be connected again (${connection.lastError ?? 'its authorization was revoked'}): ${connect}` });
      }
    }
  });
  return issues;
}

/** What the database knows of a task id: its fingerprint and state, if it was registered. */
export async function registeredTask(orm: Orm, taskId: string): Promise<Pick<BulkUploadTask, 'inputFingerprint' | 'status' | 'createdAt'> | null> {
  return orm.em.fork().findOne(BulkUploadTask, taskId, { fields: ['inputFingerprint', 'status', 'createdAt'] });
}
