/**
 * The video library: resumable uploads of originals, the library, thumbnails, and its page.
 *
 * The upload protocol is a small subset of tus 1.0 core, in JSON: `POST /videos/uploads`
 * declares the name and size; `PATCH /videos/uploads/{id}` appends a chunk at
 * `Upload-Offset` (body `application/offset+octet-stream`); `GET`/`HEAD` on the session tell
 * the offset the server holds, so a client whose connection broke continues from there
 * instead of starting over. The chunk that completes the file answers with the library
 * entry, or 422 with why the file is not a video.
 */
import { z } from '@hono/zod-openapi';
import { unregisteredBulks } from '../../bulks/admitted';
import { IdSchema } from '../../contracts/bulk-input';
import { LibraryError, MAX_CHUNK_BYTES, createLibrary, type UploadSession } from '../../media';
import type { ApiDeps } from '../deps';
import { fileResponse } from '../file-response';
import { jsonBodyRoute, protectedRoute } from '../openapi';
import { createRouter, errorResponses, fieldError, htmlResponse, jsonBody } from '../validation';
import { htmlPage } from '../views/layout';
import { UPLOAD_CHUNK_BYTES, VideosPage } from '../views/videos-page';

/** Where upload sessions live; `/videos/uploads/<id>` is one session. */
export const UPLOADS_PATH = '/videos/uploads';
/** The content type of a chunk, as tus names it. */
export const CHUNK_CONTENT_TYPE = 'application/offset+octet-stream';

/** True for a chunk upload: its body streams to disk under the library's own limit, not the API's body limit. */
export function isUploadChunkRequest(method: string, path: string): boolean {
  return method === 'PATCH' && path.startsWith(`${UPLOADS_PATH}/`);
}

const UploadParam = z.object({ id: z.string().regex(/^[0-9a-f]{16}$/, 'must be an upload id (16 hex digits)') });
const VideoParam = z.object({ id: IdSchema });

const BulkUseSchema = z.object({ taskId: z.string(), status: z.string() });
const LibraryEntrySchema = z
  .object({
    id: z.string(),
    path: z.string().openapi({ description: "relative to MEDIA_ROOT: what a bulk's `videos[].path` takes" }),
    originalName: z.string(),
    sizeBytes: z.number(),
    durationSec: z.number(),
    width: z.number(),
    height: z.number(),
    createdAt: z.string(),
    usedBy: z.array(BulkUseSchema).openapi({ description: 'bulks that name this file, newest first; while there are any, it cannot be deleted' }),
    thumbnailUrl: z.string(),
    fileUrl: z.string(),
  })
  .openapi('LibraryVideo');
const UploadSchema = z
  .object({
    id: z.string(),
    url: z.string().openapi({ description: 'the session: PATCH chunks to it, GET or HEAD it for the offset' }),
    name: z.string(),
    size: z.number(),
    offset: z.number().openapi({ description: 'bytes the server holds durably: the next chunk starts here' }),
    state: z.enum(['uploading', 'complete', 'refused']),
    error: z.string().optional().openapi({ description: 'why the file was refused' }),
    video: LibraryEntrySchema.optional().openapi({ description: 'the library entry the file became' }),
  })
  .openapi('Upload');
const CreateUploadBody = z.object({
  name: z.string().min(1).max(255).openapi({ description: "the file's name on the operator's machine" }),
  size: z.number().int().min(1).openapi({ description: 'its size in bytes; at most MAX_VIDEO_BYTES' }),
});
const OffsetHeaders = z.object({ 'upload-offset': z.string().regex(/^\d{1,16}$/, 'must be a byte offset (a whole number)') });

const jsonOf = <S extends z.ZodType>(schema: S, description: string) => ({ description, content: { 'application/json': { schema } } });
const offsetConflict = jsonOf(
  z.object({ error: z.string(), issues: z.array(z.object({ field: z.string(), message: z.string() })), offset: z.number() }),
  'the offset is not the one the server holds (or the upload has finished): `offset` is where to continue',
);

const createUploadRoute = jsonBodyRoute({
  method: 'post',
  path: UPLOADS_PATH,
  summary: 'Start a resumable upload of a video for the library',
  request: { body: jsonBody(CreateUploadBody, 'the file to come') },
  responses: {
    201: jsonOf(UploadSchema, 'the session, at offset 0; its `url` takes the chunks'),
    ...errorResponses({ 400: 'a field is invalid', 413: '`size` is over MAX_VIDEO_BYTES' }),
  },
});
const uploadRoute = protectedRoute({
  method: 'get',
  path: `${UPLOADS_PATH}/{id}`,
  summary: 'Where an upload stands: the offset to continue from (also as `Upload-Offset` on HEAD)',
  request: { params: UploadParam },
  responses: { 200: jsonOf(UploadSchema, 'the session'), ...errorResponses({ 400: 'the id is invalid', 404: 'no such upload (finished sessions expire after a day)' }) },
});
const appendRoute = protectedRoute({
  method: 'patch',
  path: `${UPLOADS_PATH}/{id}`,
  summary: `Append a chunk (at most ${MAX_CHUNK_BYTES} bytes) at \`Upload-Offset\`; the last one finalizes the file`,
  request: {
    params: UploadParam,
    headers: OffsetHeaders,
    body: { required: true, description: 'the bytes from `Upload-Offset` on', content: { [CHUNK_CONTENT_TYPE]: { schema: { type: 'string' as const, format: 'binary' } } } },
  },
  responses: {
    200: jsonOf(UploadSchema, 'the new offset; with the last chunk, state `complete` and the library entry'),
    409: offsetConflict,
    422: jsonOf(
      z.object({ error: z.string(), issues: z.array(z.object({ field: z.string(), message: z.string() })), upload: UploadSchema }),
      'the file is not a video: the reason, and no bytes kept',
    ),
    ...errorResponses({ 400: 'the offset or the chunk is invalid (too long, or past the declared size)', 404: 'no such upload', 415: `the body is not ${CHUNK_CONTENT_TYPE}` }),
  },
});
const cancelUploadRoute = protectedRoute({
  method: 'delete',
  path: `${UPLOADS_PATH}/{id}`,
  summary: 'Cancel an upload: its bytes are deleted',
  request: { params: UploadParam },
  responses: { 204: { description: 'cancelled' }, ...errorResponses({ 400: 'the id is invalid', 404: 'no such upload' }) },
});
const listRoute = protectedRoute({
  method: 'get',
  path: '/videos',
  summary: 'The video library, newest first, with the bulks that used each video',
  responses: { 200: jsonOf(z.object({ videos: z.array(LibraryEntrySchema) }), 'every library video') },
});
const binary = (type: string, description: string) => ({ description, content: { [type]: { schema: { type: 'string' as const, format: 'binary' } } } });
const thumbnailRoute = protectedRoute({
  method: 'get',
  path: '/videos/{id}/thumbnail',
  summary: "A library video's thumbnail (JPEG)",
  request: { params: VideoParam },
  responses: {
    200: binary('image/jpeg', 'the thumbnail'),
    304: { description: 'unchanged' },
    ...errorResponses({ 400: 'the id is invalid', 404: 'no such video, or no frame to show' }),
  },
});
const fileRoute = protectedRoute({
  method: 'get',
  path: '/videos/{id}/file',
  summary: 'A library video itself; `Range` requests are answered (206), so a player can seek',
  request: { params: VideoParam },
  responses: {
    200: binary('video/mp4', 'the whole file'),
    206: binary('video/mp4', 'the range asked for'),
    304: { description: 'unchanged' },
    416: { description: 'the range lies past the end of the file' },
    ...errorResponses({ 400: 'the id is invalid', 404: 'no such video' }),
  },
});
const deleteRoute = protectedRoute({
  method: 'delete',
  path: '/videos/{id}',
  summary: 'Delete a library video that no bulk uses',
  request: { params: VideoParam },
  responses: {
    204: { description: 'deleted, with its thumbnail' },
    409: jsonOf(
      z.object({ error: z.string(), issues: z.array(z.object({ field: z.string(), message: z.string() })), bulks: z.array(z.string()) }),
      'bulks use it: `bulks` names them',
    ),
    ...errorResponses({ 400: 'the id is invalid', 404: 'no such video' }),
  },
});
const pageRoute = protectedRoute({
  method: 'get',
  path: '/dashboard/videos',
  summary: 'Dashboard: upload videos and browse the library (HTML)',
  responses: { 200: htmlResponse('the upload area and the library'), 303: { description: 'without a session, to the sign-in page' } },
});

/** Content types of the containers a browser may play, by extension. */
const VIDEO_TYPES: Record<string, string> = { mp4: 'video/mp4', m4v: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm', mkv: 'video/x-matroska', ogv: 'video/ogg' };

/** Video library routes. */
export function videoRoutes(deps: ApiDeps) {
  const app = createRouter();
  const library = createLibrary({
    orm: deps.orm,
    media: deps.config.media,
    unregisteredBulks: () => unregisteredBulks(deps.temporal, deps.orm, deps.config.temporal.taskQueue),
  });
  const withUrls = <T extends { id: string }>(video: T) => ({ ...video, thumbnailUrl: `/videos/${video.id}/thumbnail`, fileUrl: `/videos/${video.id}/file` });
  const sessionView = ({ video, ...s }: UploadSession) => ({ ...s, url: `${UPLOADS_PATH}/${s.id}`, ...(video ? { video: withUrls(video) } : {}) });
  const tusHeaders = (s: UploadSession) => ({ 'upload-offset': String(s.offset), 'upload-length': String(s.size), 'cache-control': 'no-store' });

  app.openapi(createUploadRoute, async (c) => {
    try {
      const session = await library.createUpload(c.req.valid('json'));
      return c.json(sessionView(session), 201, { location: `${UPLOADS_PATH}/${session.id}`, ...tusHeaders(session) });
    } catch (err) {
      if (err instanceof LibraryError && err.kind === 'too_large') return c.json(fieldError(err.field, err.message), 413);
      throw err;
    }
  });

  app.openapi(uploadRoute, async (c) => {
    try {
      const session = await library.upload(c.req.valid('param').id);
      return c.json(sessionView(session), 200, tusHeaders(session));
    } catch (err) {
      if (err instanceof LibraryError && err.kind === 'not_found') return c.json(fieldError(err.field, err.message), 404);
      throw err;
    }
  });

  app.openapi(appendRoute, async (c) => {
    const { id } = c.req.valid('param');
    const offset = Number(c.req.valid('header')['upload-offset']);
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== CHUNK_CONTENT_TYPE) return c.json(fieldError('(content-type)', `must be ${CHUNK_CONTENT_TYPE}`), 415);
    const length = c.req.header('content-length');
    try {
      const session = await library.append(id, offset, c.req.raw.body, length === undefined ? undefined : Number(length));
      if (session.state === 'refused') {
        const reason = session.error ?? 'not a video';
        return c.json({ error: reason, issues: [{ field: '(file)', message: reason }], upload: sessionView(session) }, 422, tusHeaders(session));
      }
      return c.json(sessionView(session), 200, tusHeaders(session));
    } catch (err) {
      if (!(err instanceof LibraryError)) throw err;
      const offsetHeader = err.details.offset === undefined ? undefined : { 'upload-offset': String(err.details.offset) };
      if (err.kind === 'offset_mismatch') return c.json({ ...fieldError(err.field, err.message), offset: err.details.offset ?? 0 }, 409, offsetHeader);
      if (err.kind === 'not_found') return c.json(fieldError(err.field, err.message), 404);
      return c.json(fieldError(err.field, err.message), 400, offsetHeader);
    }
  });

  app.openapi(cancelUploadRoute, async (c) => {
    try {
      await library.cancelUpload(c.req.valid('param').id);
      return c.body(null, 204);
    } catch (err) {
      if (err instanceof LibraryError && err.kind === 'not_found') return c.json(fieldError(err.field, err.message), 404);
      throw err;
    }
  });

  app.openapi(listRoute, async (c) => c.json({ videos: (await library.list()).map(withUrls) }, 200));

  app.openapi(thumbnailRoute, async (c) => {
    const file = await library.thumbnailFile(c.req.valid('param').id);
    const res = file ? await fileResponse(c, file, { contentType: 'image/jpeg' }) : null;
    return res ?? c.json(fieldError('id', 'no such video, or no frame to show'), 404);
  });

  app.openapi(fileRoute, async (c) => {
    const file = await library.originalFile(c.req.valid('param').id);
    const type = VIDEO_TYPES[(file ?? '').split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
    const res = file ? await fileResponse(c, file, { contentType: type }) : null;
    return res ?? c.json(fieldError('id', 'no such video'), 404);
  });

  app.openapi(deleteRoute, async (c) => {
    try {
      await library.remove(c.req.valid('param').id);
      return c.body(null, 204);
    } catch (err) {
      if (!(err instanceof LibraryError)) throw err;
      if (err.kind === 'in_use') return c.json({ ...fieldError(err.field, err.message), bulks: err.details.bulks ?? [] }, 409);
      if (err.kind === 'not_found') return c.json(fieldError(err.field, err.message), 404);
      throw err;
    }
  });

  app.openapi(pageRoute, async (c) =>
    htmlPage(c, <VideosPage videos={(await library.list()).map(withUrls)} uploadsUrl={UPLOADS_PATH} maxBytes={deps.config.media.maxVideoBytes} chunkBytes={UPLOAD_CHUNK_BYTES} />),
  );

  return app;
}
