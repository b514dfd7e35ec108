/**
 * Published Instagram media and the content publishing limit ("IG User Content Publishing
 * Limit"): each IG user may publish `quota_total` posts within a moving `quota_duration`
 * window, counted at `media_publish`. A published reel reads back with `media_type` VIDEO and
 * `media_product_type` REELS, as the content-publishing guide says.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { renderNode, type FieldRenderers, type FieldSelection } from './fields';

export interface MediaRecord {
  id: string;
  igUserId: string;
  username: string;
  containerId: string;
  shortcode: string;
  caption: string;
  shareToFeed: boolean;
  sha256: string;
  publishedAt: number;
}

/** The node type Graph names in its errors for a published media object. */
export const MEDIA_NODE = 'IGMedia';
export const MEDIA_DEFAULT_FIELDS = ['id'];

/** A Graph object id: Instagram's are 17-digit numbers. */
export function numericId(prefix = '17'): string {
  let id = prefix;
  while (id.length < 17) id += String(randomInt(10));
  return id;
}

const SHORTCODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** Graph's timestamp format: ISO 8601 with a `+0000` offset. */
export const graphTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');

/** Published media, newest last, and the publishing limit's ledger. */
export class MediaCatalog {
  readonly media = new Map<string, MediaRecord>();
  /** Publishes counted against each IG user's limit: real ones, and those the limit fault stands in for. */
  private readonly publishes = new Map<string, number[]>();

  constructor(
    readonly quotaTotal: number,
    readonly quotaDurationSeconds: number,
  ) {}

  /** Posts the IG user published within the window ending now. */
  quotaUsage(igUserId: string, now = Date.now()): number {
    const since = now - this.quotaDurationSeconds * 1000;
    return (this.publishes.get(igUserId) ?? []).filter((t) => t > since).length;
  }

  /** Fault: fills the IG user's window to the limit with posts made now elsewhere (another app, say), which age out like real ones. */
  fillQuota(igUserId: string): void {
    const missing = this.quotaTotal - this.quotaUsage(igUserId);
    const now = Date.now();
    const list = this.publishes.get(igUserId) ?? [];
    for (let i = 0; i < missing; i += 1) list.push(now);
    this.publishes.set(igUserId, list);
  }

  publish(entry: Omit<MediaRecord, 'id' | 'shortcode' | 'publishedAt'>): MediaRecord {
    const shortcode = Array.from(randomBytes(11), (b) => SHORTCODE_ALPHABET[b % SHORTCODE_ALPHABET.length]).join('');
    const record: MediaRecord = { ...entry, id: numericId('18'), shortcode, publishedAt: Date.now() };
    this.media.set(record.id, record);
    const list = this.publishes.get(entry.igUserId) ?? [];
    list.push(record.publishedAt);
    this.publishes.set(entry.igUserId, list);
    return record;
  }

  /** The IG user's media, newest first. */
  of(igUserId: string): MediaRecord[] {
    return [...this.media.values()].filter((m) => m.igUserId === igUserId).reverse();
  }
}

/** `https://www.instagram.com/reel/<shortcode>/`, the permalink of a published reel. */
export const permalinkOf = (media: MediaRecord): string => `https://www.instagram.com/reel/${media.shortcode}/`;

/** An IG Media node with the requested fields. */
export function mediaNode(media: MediaRecord, selection: FieldSelection): Record<string, unknown> {
  const renderers: FieldRenderers = {
    id: () => media.id,
    caption: () => media.caption,
    media_type: () => 'VIDEO',
    media_product_type: () => 'REELS',
    permalink: () => permalinkOf(media),
    shortcode: () => media.shortcode,
    timestamp: () => graphTime(media.publishedAt),
    username: () => media.username,
    is_shared_to_feed: () => media.shareToFeed,
    owner: () => ({ id: media.igUserId }),
  };
  return renderNode(MEDIA_NODE, selection, renderers);
}
