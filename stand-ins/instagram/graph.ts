/**
 * The Graph API as clipfleet's Instagram support meets it: `oauth/access_token`, the person
 * (`me`, `me/accounts`, `me/permissions`), their Pages and Instagram professional accounts,
 * `content_publishing_limit`, container creation (`POST /<ig-user-id>/media`), container and
 * media reads, `media_publish`, and the IG user's media list. Every node is read through the
 * `fields` parameter; every refusal is a GraphError in Meta's shape.
 */
import type http from 'node:http';
import { CONTAINER_DEFAULT_FIELDS, containerNode, RUPLOAD_PREFIX, statusCodeAt, type Container, type ContainerStore } from './containers';
import { parseFields, renderNode, type FieldSelection } from './fields';
import { GraphError, invalidParameter, unsupportedRequest } from './graph-errors';
import { authorizationToken, sendJson } from './http';
import { MEDIA_DEFAULT_FIELDS, mediaNode, type MediaCatalog } from './media';
import { instagramAccountsOf, PERMISSIONS, requirePermission, type FacebookPage, type FacebookUser, type Grant, type InstagramAccount, type LoginServer } from './oauth';

/** The version the stand-in names in URIs it hands out when a request named none. */
export const DEFAULT_VERSION = 'v21.0';
const CAPTION_MAX_CHARS = 2200;
const CAPTION_MAX_HASHTAGS = 30;
const CAPTION_MAX_MENTIONS = 20;
const PAGE_SIZE_DEFAULT = 25;
const PAGE_SIZE_MAX = 100;
const KNOWN_MEDIA_TYPES = ['IMAGE', 'VIDEO', 'REELS', 'STORIES', 'CAROUSEL'];

export interface GraphDeps {
  login: LoginServer;
  containers: ContainerStore;
  catalog: MediaCatalog;
  /** The server's own origin, for the rupload URI. */
  origin: () => string;
}

/** One Graph request, already split: `segments` is the path after the version. */
export interface GraphCall {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  segments: string[];
  params: URLSearchParams;
  version?: string;
}

const cursor = (id: string): string => Buffer.from(id).toString('base64url');
const fromCursor = (raw: string): string => Buffer.from(raw, 'base64url').toString('utf8');

/** The Graph API of the stand-in. */
export class GraphApi {
  constructor(private readonly deps: GraphDeps) {}

  /** Answers one Graph call; `oauth/access_token` needs no token, everything else does. */
  async handle(call: GraphCall): Promise<void> {
    const { method, segments, params, res } = call;
    const [head, edge, ...rest] = segments;
    if (!head || rest.length > 0) throw unsupportedRequest(method, segments.join('/'));
    if (head === 'oauth' && edge === 'access_token' && (method === 'GET' || method === 'POST')) {
      return sendJson(res, 200, this.deps.login.exchange(params), { 'cache-control': 'private, no-cache, no-store, must-revalidate', pragma: 'no-cache' });
    }

    const grant = this.deps.login.authenticate(params.get('access_token') ?? authorizationToken(call.req));
    const user = this.userOf(grant);
    const id = head === 'me' ? user.id : head;
    const key = `${method} ${edge ?? ''}`;

    if (id === user.id) {
      if (key === 'GET ') return sendJson(res, 200, renderNode('User', parseFields(params.get('fields'), ['id', 'name']), { id: () => user.id, name: () => user.name }));
      if (key === 'GET accounts') return this.accounts(call, grant, user);
      if (key === 'GET permissions') return sendJson(res, 200, { data: permissionsOf(grant) });
      if (key === 'DELETE permissions') {
        this.deps.login.revokeUser(user.id);
        return sendJson(res, 200, { success: true });
      }
    }

    const page = user.pages.find((p) => p.id === id);
    if (page && key === 'GET ') {
      requirePermission(grant, PERMISSIONS.pagesShowList);
      return sendJson(res, 200, this.pageNode(page, grant, parseFields(params.get('fields'), ['id', 'name'])));
    }

    const account = instagramAccountsOf(user).find((a) => a.id === id);
    if (account) {
      if (key === 'GET ') {
        requirePermission(grant, PERMISSIONS.instagramBasic);
        return sendJson(res, 200, this.igUserNode(account, parseFields(params.get('fields'), ['id'])));
      }
      if (key === 'GET content_publishing_limit') return this.publishingLimit(call, grant, account);
      if (key === 'POST media') return this.createContainer(call, grant, account);
      if (key === 'GET media') return this.listMedia(call, grant, account);
      if (key === 'POST media_publish') return this.publish(call, grant, account);
    }

    const mine = new Set(instagramAccountsOf(user).map((a) => a.id));
    const container = this.deps.containers.containers.get(id);
    if (container && mine.has(container.igUserId) && key === 'GET ') {
      requirePermission(grant, PERMISSIONS.instagramBasic);
      return sendJson(res, 200, containerNode(container, parseFields(params.get('fields'), CONTAINER_DEFAULT_FIELDS), Date.now()));
    }
    const media = this.deps.catalog.media.get(id);
    if (media && mine.has(media.igUserId) && key === 'GET ') {
      requirePermission(grant, PERMISSIONS.instagramBasic);
      return sendJson(res, 200, mediaNode(media, parseFields(params.get('fields'), MEDIA_DEFAULT_FIELDS)));
    }
    const known = id === user.id || page || account || (container && mine.has(container.igUserId)) || (media && mine.has(media.igUserId));
    if (known && edge !== undefined) throw new GraphError(400, 2500, `Unknown path components: /${edge}`);
    throw unsupportedRequest(method, id);
  }

  private userOf(grant: Grant): FacebookUser {
    const user = this.deps.login.users.find((u) => u.id === grant.userId);
    if (!user) throw new Error(`grant names user ${grant.userId}, who does not exist`);
    return user;
  }

  private igUserNode(account: InstagramAccount, selection: FieldSelection): Record<string, unknown> {
    return renderNode('IGUser', selection, {
      id: () => account.id,
      username: () => account.username,
      name: () => account.username,
      media_count: () => this.deps.catalog.of(account.id).length,
    });
  }

  private pageNode(page: FacebookPage, grant: Grant, selection: FieldSelection): Record<string, unknown> {
    return renderNode('Page', selection, {
      id: () => page.id,
      name: () => page.name,
      // Without instagram_basic Graph leaves the linked account out rather than failing the read.
      instagram_business_account: (sub) =>
        page.instagramAccount && grant.granted.includes(PERMISSIONS.instagramBasic) ? this.igUserNode(page.instagramAccount, sub ?? new Map([['id', undefined]])) : undefined,
    });
  }

  /** `GET /me/accounts`: the Pages the person manages, each with its linked Instagram account when asked for. */
  private accounts({ res, params }: GraphCall, grant: Grant, user: FacebookUser): void {
    requirePermission(grant, PERMISSIONS.pagesShowList);
    const selection = parseFields(params.get('fields'), ['id', 'name']);
    const data = user.pages.map((page) => this.pageNode(page, grant, selection));
    const first = user.pages[0];
    const last = user.pages[user.pages.length - 1];
    sendJson(res, 200, { data, ...(first && last ? { paging: { cursors: { before: cursor(first.id), after: cursor(last.id) } } } : {}) });
  }

  /** `GET /<ig-user-id>/content_publishing_limit`: `quota_usage` by default, `config` when asked for. */
  private publishingLimit({ res, params }: GraphCall, grant: Grant, account: InstagramAccount): void {
    requirePermission(grant, PERMISSIONS.instagramBasic);
    requirePermission(grant, PERMISSIONS.contentPublish);
    const { catalog } = this.deps;
    const entry = renderNode('ContentPublishingLimit', parseFields(params.get('fields'), ['quota_usage']), {
      quota_usage: () => catalog.quotaUsage(account.id),
      config: () => ({ quota_total: catalog.quotaTotal, quota_duration: catalog.quotaDurationSeconds }),
    });
    sendJson(res, 200, { data: [entry] });
  }

  /** `POST /<ig-user-id>/media` with `media_type=REELS&upload_type=resumable`: a container and its rupload URI. */
  private async createContainer({ res, params, version }: GraphCall, grant: Grant, account: InstagramAccount): Promise<void> {
    requirePermission(grant, PERMISSIONS.instagramBasic);
    requirePermission(grant, PERMISSIONS.contentPublish);
    const mediaType = params.get('media_type');
    if (!mediaType) throw invalidParameter('(#100) The parameter media_type is required.');
    if (!KNOWN_MEDIA_TYPES.includes(mediaType)) throw invalidParameter('The media type is unknown.', 2207023);
    if (mediaType !== 'REELS') throw invalidParameter(`(#100) The stand-in implements media_type=REELS only, not ${mediaType}.`);
    if (params.get('upload_type') !== 'resumable') throw invalidParameter('(#100) The stand-in implements upload_type=resumable only; it fetches no video_url.');
    const caption = params.get('caption') ?? '';
    checkCaption(caption);
    const shareToFeed = params.get('share_to_feed') ?? 'true';
    if (shareToFeed !== 'true' && shareToFeed !== 'false') throw invalidParameter('(#100) Param share_to_feed must be a boolean');
    const container = await this.deps.containers.create(account.id, caption, shareToFeed === 'true');
    sendJson(res, 200, { id: container.id, uri: `${this.deps.origin()}${RUPLOAD_PREFIX}/${version ?? DEFAULT_VERSION}/${container.id}` });
  }

  /** `GET /<ig-user-id>/media`: published media, newest first, with cursor paging. */
  private listMedia({ res, params, req }: GraphCall, grant: Grant, account: InstagramAccount): void {
    requirePermission(grant, PERMISSIONS.instagramBasic);
    const selection = parseFields(params.get('fields'), MEDIA_DEFAULT_FIELDS);
    const limit = Math.min(Math.max(Number(params.get('limit') ?? PAGE_SIZE_DEFAULT) || PAGE_SIZE_DEFAULT, 1), PAGE_SIZE_MAX);
    const all = this.deps.catalog.of(account.id);
    const after = params.get('after');
    const start = after ? all.findIndex((m) => m.id === fromCursor(after)) + 1 : 0;
    const page = all.slice(start, start + limit);
    const first = page[0];
    const last = page[page.length - 1];
    let paging: Record<string, unknown> | undefined;
    if (first && last) {
      paging = { cursors: { before: cursor(first.id), after: cursor(last.id) } };
      if (start + limit < all.length) {
        const next = new URL(req.url ?? '/', this.deps.origin());
        next.searchParams.set('after', cursor(last.id));
        paging.next = next.toString();
      }
    }
    sendJson(res, 200, { data: page.map((m) => mediaNode(m, selection)), ...(paging ? { paging } : {}) });
  }

  /** `POST /<ig-user-id>/media_publish?creation_id=`: the container's media, once; the limit is enforced here, as the guide says. */
  private publish({ res, params }: GraphCall, grant: Grant, account: InstagramAccount): void {
    requirePermission(grant, PERMISSIONS.instagramBasic);
    requirePermission(grant, PERMISSIONS.contentPublish);
    const creationId = params.get('creation_id');
    if (!creationId) throw invalidParameter('(#100) The parameter creation_id is required.');
    const container = this.deps.containers.containers.get(creationId);
    if (!container || container.igUserId !== account.id) {
      throw new GraphError(400, 24, `The media builder with creation id = ${creationId} does not exist or has been expired.`, { subcode: 2207008 });
    }
    refuseUnpublishable(container);
    const { catalog } = this.deps;
    if (catalog.quotaUsage(account.id) >= catalog.quotaTotal) {
      const message = 'You reached maximum number of posts that is allowed to be published by Content Publishing API.';
      throw new GraphError(400, 9, message, { subcode: 2207042, isTransient: false, userTitle: 'Maximum posts reached', userMessage: message });
    }
    const media = catalog.publish({
      igUserId: account.id,
      username: account.username,
      containerId: container.id,
      caption: container.caption,
      shareToFeed: container.shareToFeed,
      sha256: container.sha256 ?? '',
    });
    container.publishedMediaId = media.id;
    sendJson(res, 200, { id: media.id });
  }
}

/** Refuses a container that cannot be published now, with the error reference's code for its state. */
function refuseUnpublishable(container: Container): void {
  const status = statusCodeAt(container, Date.now());
  // Not in Meta's docs: what a second media_publish of one container answers. The stand-in refuses it as an invalid parameter.
  if (status === 'PUBLISHED') throw invalidParameter(`(#100) The media container ${container.id} has already been published.`);
  if (status === 'EXPIRED') throw new GraphError(400, -2, 'The media you are trying to access has expired. Please try to upload again.', { subcode: 2207020 });
  if (status === 'IN_PROGRESS') {
    throw new GraphError(400, 9007, 'Media ID is not available', {
      subcode: 2207027,
      userTitle: 'Media not ready for publishing',
      userMessage: 'The media is not ready for publishing, please wait for a moment',
    });
  }
  if (status === 'ERROR' && container.failure) {
    const { code, subcode, status: text } = container.failure;
    throw new GraphError(400, code, text, { subcode });
  }
}

/** The caption limits of the IG User Media reference: 2,200 characters, 30 hashtags, 20 @ tags. */
function checkCaption(caption: string): void {
  const hashtags = caption.match(/#\w/g)?.length ?? 0;
  const mentions = caption.match(/@\w/g)?.length ?? 0;
  if ([...caption].length > CAPTION_MAX_CHARS || hashtags > CAPTION_MAX_HASHTAGS || mentions > CAPTION_MAX_MENTIONS) {
    throw new GraphError(400, 36004, 'The caption was too long.', {
      subcode: 2207010,
      userTitle: 'Caption too long',
      userMessage: `A caption can have at most ${CAPTION_MAX_CHARS} characters, ${CAPTION_MAX_HASHTAGS} hashtags and ${CAPTION_MAX_MENTIONS} @ tags.`,
    });
  }
}

/** `me/permissions`: what the person granted and what they declined. */
function permissionsOf(grant: Grant): { permission: string; status: 'granted' | 'declined' }[] {
  return [...grant.granted.map((permission) => ({ permission, status: 'granted' as const })), ...grant.declined.map((permission) => ({ permission, status: 'declined' as const }))];
}
