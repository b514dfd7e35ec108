/**
 * What an account is given: the schemas of `PUT /accounts`, `PATCH /accounts/{id}` and of a
 * row of an imported CSV, so the three say the same about every field. Secrets (password,
 * one-time code, proxy password) are accepted here and never shown again.
 */
import { z } from '@hono/zod-openapi';
import { IdSchema } from '../contracts/bulk-input';
import { isKnownPlatform, knownPlatformNames, platformKind, type BrowserPlatformNames } from '../contracts/platforms';

/** Most tags one account carries. */
export const MAX_TAGS = 20;
/** A tag: a letter or digit first, then letters, digits, `_`, `-` or `.`; any alphabet (operators tag in Russian too). */
const TAG_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}_.-]{0,31}$/u;
const TAG_RULE = 'a tag is 1-32 letters, digits, "_", "-" or "." and starts with a letter or digit';

/** Tags as a person types them in one field or CSV cell: separated by `;`, `,` or spaces. */
export function splitTags(text: string): string[] {
  return text.split(/[;,\s]+/).filter((t) => t !== '');
}

/** A tag as stored and compared: trimmed and lower-case. */
export function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase();
}

/**
 * An account's tags: a list, or one string of them (`"eu; cats"`). Stored lower-case,
 * without repeats, in the order given.
 */
export const TagsSchema = z
  .union([z.array(z.string().max(100)).max(MAX_TAGS * 2), z.string().max(2_000)])
  .transform((given, ctx) => {
    const list = typeof given === 'string' ? splitTags(given) : given;
    const tags: string[] = [];
    list.forEach((raw, i) => {
      const tag = normalizeTag(raw);
      if (!TAG_PATTERN.test(tag)) {
        ctx.addIssue({ code: 'custom', path: typeof given === 'string' ? [] : [i], message: `"${raw}" is not a tag: ${TAG_RULE}` });
      } else if (!tags.includes(tag)) {
        tags.push(tag);
      }
    });
    if (tags.length > MAX_TAGS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_TAGS} tags, got ${tags.length}` });
    return tags;
  })
  .openapi({ description: `labels to pick many accounts at once (a list, or one string separated by ";", "," or spaces); stored lower-case. ${TAG_RULE}` });

/** The tag a list is filtered by (`?tag=`). */
export const TagFilterSchema = z
  .string()
  .transform(normalizeTag)
  .refine((tag) => TAG_PATTERN.test(tag), { message: TAG_RULE });

const PROXY_URL_RULE = 'must be a proxy URL such as http://proxy.example:8080 or socks5://10.0.0.2:1080';
const isProxyUrl = (url: string) => /^(?:https?|socks5?):\/\/[^\s/@]+/i.test(url);

/** A proxy as given, its credentials beside the server. */
export interface Proxy {
  server: string;
  username?: string;
  password?: string;
}

/**
 * A URL's scheme, its user and password, and the rest. The credentials run to the last `@`,
 * wherever it is: a password with an unencoded `/`, `?` or `#` must not stay in the server.
 */
const CREDENTIALS_IN_URL = /^([a-z0-9+.-]+:\/\/)(.*)@([^@]*)$/is;

/** Percent-decodes a URL's user or password; one that is not validly encoded is taken as written. */
function decodeUserinfo(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** True when a proxy URL carries a user or password, which must never be stored or shown with the server. */
export function hasCredentials(server: string): boolean {
  return CREDENTIALS_IN_URL.test(server.trim());
}

/** Takes the user and password out of a proxy URL: `http://user:pass@host:8080` is server `http://host:8080`, `user`, `pass`. */
export function splitCredentials(url: string): Proxy {
  const match = CREDENTIALS_IN_URL.exec(url.trim());
  if (!match) return { server: url };
  const [, scheme = '', userinfo = '', rest = ''] = match;
  const colon = userinfo.indexOf(':');
  const username = decodeUserinfo(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? '' : decodeUserinfo(userinfo.slice(colon + 1));
  return { server: `${scheme}${rest}`, ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

/**
 * Reads a proxy written as one URL, credentials included (`http://user:pass@host:8080`), as a
 * CSV cell holds it. Throws with a message for the cell when it is not such a URL.
 */
export function proxyFromUrl(text: string): Proxy {
  const proxy = splitCredentials(text.trim());
  let url: URL;
  try {
    url = new URL(proxy.server);
  } catch {
    throw new Error('must be a proxy URL such as http://user:password@proxy.example:8080');
  }
  if (!/^(?:https?|socks5?):$/.test(url.protocol)) throw new Error(`must be an http, https or socks5 proxy URL, not ${url.protocol}`);
  return proxy;
}

/**
 * A proxy for the browser of one account; its password is write-only. A server URL that
 * carries credentials (`http://user:pass@host:8080`, the CSV's format) is split, so the
 * password is encrypted like any other and the server, which lists show, holds none.
 */
export const ProxySchema = z
  .object({
    server: z
      .string()
      .max(512)
      .refine((url) => hasCredentials(url) || isProxyUrl(url), { message: PROXY_URL_RULE })
      .openapi({ description: 'the proxy URL; a user and password in it (`http://user:pass@host:8080`) are taken as `username` and `password`' }),
    username: z.string().max(255).optional(),
    password: z.string().max(1024).optional(),
  })
  .transform((given, ctx): Proxy => {
    if (!hasCredentials(given.server)) return given;
    const inUrl = splitCredentials(given.server);
    if (!isProxyUrl(inUrl.server)) ctx.addIssue({ code: 'custom', path: ['server'], message: PROXY_URL_RULE });
    // Said without the values: one of them is a password.
    for (const field of ['username', 'password'] as const) {
      if (inUrl[field] !== undefined && given[field] !== undefined && inUrl[field] !== given[field]) {
        ctx.addIssue({ code: 'custom', path: ['server'], message: `has a ${field} that differs from proxy.${field}: give it once` });
      }
    }
    const username = inUrl.username ?? given.username;
    const password = inUrl.password ?? given.password;
    return { server: inUrl.server, ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) };
  })
  .openapi('Proxy');

const apiOnlyMessage = (platform: string, id: string, field: string) => `${platform} accounts are connected with OAuth (POST /accounts/${id}/connect), not given a ${field}`;

/**
 * Body of `PUT /accounts` (and an imported row); the platform is one of the API platforms or
 * a loaded site. `passwordOptional`: an update that keeps the stored password when none is given.
 */
export function accountBody(browser: BrowserPlatformNames, options: { passwordOptional?: boolean } = {}) {
  return z
    .object({
      id: IdSchema,
      platform: z
        .string()
        .refine((name) => isKnownPlatform(name, browser), { message: `must be one of: ${knownPlatformNames(browser).join(', ')}` })
        .default('demo'),
      /** The login on a browser platform; on an API platform, a name for the account (it is connected, see POST /accounts/{id}/connect). */
      username: z.string().trim().min(1, 'is required').max(255),
      /** Browser platforms only: API accounts are connected with OAuth, never given a password. */
      password: z.string().min(1).max(1024).optional(),
      otpCode: z.string().max(64).optional(),
      proxy: ProxySchema.optional(),
      tags: TagsSchema.optional(),
    })
    .superRefine((body, ctx) => {
      const kind = platformKind(body.platform);
      if (kind === 'browser' && body.password === undefined && !options.passwordOptional) {
        ctx.addIssue({ code: 'custom', path: ['password'], message: `is required for ${body.platform} (a browser platform)` });
      }
      if (kind === 'api') {
        if (body.proxy !== undefined)
          ctx.addIssue({ code: 'custom', path: ['proxy'], message: `is not used by ${body.platform} accounts: they upload through the platform's API, not a browser` });
        for (const field of ['password', 'otpCode'] as const) {
          if (body[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: apiOnlyMessage(body.platform, body.id, field) });
        }
      }
    });
}
export type AccountBody = z.output<ReturnType<typeof accountBody>>;

/**
 * What PATCH may change; a field left out keeps its value, `null` clears an optional one. A
 * proxy given without `password` keeps the stored proxy password (same username); `""` drops it.
 */
export const AccountPatch = z
  .object({
    username: z.string().trim().min(1, 'is required').max(255),
    password: z.string().min(1).max(1024),
    otpCode: z.string().max(64).nullable(),
    proxy: ProxySchema.nullable(),
    tags: TagsSchema,
  })
  .partial()
  .strict();
export type AccountPatchBody = z.output<typeof AccountPatch>;
