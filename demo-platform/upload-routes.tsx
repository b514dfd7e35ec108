/**
 * The upload page and the publish action, with the two checks every real host makes:
 * is it a video, and is it byte-for-byte a file already published here (by anyone).
 * The duplicate check is what clipfleet's uniquify step exists to pass.
 */
import { createHash, randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Faults } from './faults';
import { PublishedPage, UploadPage } from './pages';
import { render } from './render';
import { requireUser, signedInUser, type SiteEnv } from './session';
import { unavailable } from './site-faults';
import type { DemoPost, DemoState } from './state';
import { detectVideoContainer } from './video-signature';

/** Visible errors the adapter maps to kinds; keep them in step with platforms/sites/demo.json. */
export const NOT_A_VIDEO = 'Not a video file';
export const DUPLICATE_VIDEO = 'Duplicate video: this exact file was already published';
export const MAX_CAPTION_LENGTH = 2200;

export interface UploadRoutesOptions {
  state: DemoState;
  faults: Faults;
  uploadsDir: string;
  maxUploadBytes: number;
  /** Base of post URLs; when absent, the origin the request came in on. */
  publicUrl?: string;
}

/** GET/POST /upload. */
export function uploadRoutes({ state, faults, uploadsDir, maxUploadBytes, publicUrl }: UploadRoutesOptions): Hono<SiteEnv> {
  const reject = (c: Context<SiteEnv>, status: 409 | 413 | 422, error: string, caption?: string) =>
    render(c, <UploadPage user={signedInUser(c)} error={error} caption={caption} />, status);

  return new Hono<SiteEnv>()
    .use('/upload', requireUser)
    .get('/upload', (c) => render(c, <UploadPage user={signedInUser(c)} />))
    .post('/upload', bodyLimit({ maxSize: maxUploadBytes, onError: (c) => reject(c, 413, `File too large (max ${maxUploadBytes} bytes)`) }), async (c) => {
      const signal = c.req.raw.signal;
      const { slowUploadMs, hangUploads, hangAfterUpload } = faults.settings;
      if (slowUploadMs && (await faults.hold(signal, slowUploadMs)) === 'released') return unavailable(c);
      if (hangUploads) {
        await faults.hold(signal);
        return unavailable(c);
      }

      const user = signedInUser(c);
      const body = await c.req.parseBody();
      const caption = typeof body['caption'] === 'string' ? body['caption'] : '';
      const video = body['video'];
      if (caption.length > MAX_CAPTION_LENGTH) return reject(c, 422, `Caption is too long (max ${MAX_CAPTION_LENGTH} characters)`, caption);
      if (!(video instanceof File)) return reject(c, 422, `${NOT_A_VIDEO}: no file was chosen`, caption);

      const bytes = new Uint8Array(await video.arrayBuffer());
      const container = detectVideoContainer(bytes);
      if (!container) return reject(c, 422, NOT_A_VIDEO, caption);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (state.postBySha256(sha256)) return reject(c, 409, DUPLICATE_VIDEO, caption);

      const id = randomBytes(6).toString('hex');
      const file = `${id}${container.ext}`;
      const filePath = path.join(uploadsDir, file);
      await writeFile(filePath, bytes);
      // Checked again with no await before addPost: two identical uploads racing each other
      // both passed the first check, and exactly one of them must win.
      if (state.postBySha256(sha256)) {
        await rm(filePath, { force: true });
        return reject(c, 409, DUPLICATE_VIDEO, caption);
      }
      const base = publicUrl ?? new URL(c.req.url).origin;
      const post: DemoPost = {
        id,
        account: user,
        caption,
        sha256,
        size: bytes.length,
        file,
        createdAt: new Date().toISOString(),
        url: `${base}/posts/${id}`,
      };
      await state.addPost(post);

      if (hangAfterUpload) {
        await faults.hold(signal);
        return unavailable(c);
      }
      return render(c, <PublishedPage user={user} post={post} />);
    });
}
