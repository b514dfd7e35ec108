/**
 * The videos page: an upload area (drop zone and file input; `/assets/dashboard.js` sends
 * each file in resumable chunks, see routes/videos.tsx) and the library. The script adds
 * rows for new uploads with the same cells as {@link LibraryRow} renders here.
 */
import type { LibraryEntry } from '../../media';
import { useFormat, useT } from '../i18n';
import { Layout } from './layout';

/** Bytes the page sends per chunk: small enough that a broken connection costs little, large enough to keep requests few. */
export const UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;

/** A library video with the URLs the page shows it by. */
export type LibraryVideoView = LibraryEntry & { thumbnailUrl: string; fileUrl: string };

// On a phone the table becomes one card per video: the thumbnail beside its facts.
const STYLE = `
.drop-zone{border:2px dashed #9aa6b8;border-radius:.5rem;padding:1rem;background:#fff;text-align:center}
.drop-zone.dragging{border-color:#2b6cd4;background:#eef4ff}
.drop-zone input{margin:.4rem 0}
.uploads{list-style:none;padding:0;margin:.8rem 0;display:grid;gap:.4rem}
.uploads li{background:#fff;border:1px solid #e3e6eb;border-radius:.3rem;padding:.4rem .6rem;display:flex;flex-wrap:wrap;gap:.2rem .8rem;align-items:center}
.uploads .name{font-weight:600;word-break:break-all;flex:1 1 12rem}
.uploads progress{width:12rem;max-width:100%}
.uploads .state{flex:1 1 100%}
.uploads li.refused .state,.uploads li.failed .state{color:#b00020}
.library img{display:block;width:96px;height:auto;background:#e3e6eb}
.library .path{font-size:12px;word-break:break-all}
@media (max-width:600px){
 .library thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
 .library tr{display:grid;grid-template-columns:104px 1fr;border-bottom:1px solid #e3e6eb;background:#fff}
 .library td{border:0;padding:.15rem .3rem}
 .library td:first-child{grid-row:span 6}
 .library td[data-label]::before{content:attr(data-label) ": ";color:#667}
}
`;

/** One library row; `/assets/dashboard.js` builds the same cells for a video uploaded while the page is open. */
function LibraryRow(props: { video: LibraryVideoView }) {
  const t = useT();
  const fmt = useFormat();
  const v = props.video;
  const used = v.usedBy.length > 0;
  return (
    <tr data-video={v.id}>
      <td>
        <img src={v.thumbnailUrl} alt={t('videos.js.thumbnailOf', { name: v.originalName })} width={96} loading="lazy" />
      </td>
      <td>
        <a href={v.fileUrl}>{v.originalName}</a>
        <div class="path muted">{v.path}</div>
      </td>
      <td data-label={t('videos.col.duration')}>{fmt.duration(v.durationSec)}</td>
      <td data-label={t('videos.col.resolution')}>{`${v.width}×${v.height}`}</td>
      <td data-label={t('videos.col.size')}>{fmt.bytes(v.sizeBytes)}</td>
      <td data-label={t('videos.col.usedBy')} data-field="usedBy">
        {used ? (
          v.usedBy.map((u, i) => (
            <>
              {i > 0 ? ', ' : null}
              <a href={`/dashboard/bulks/${encodeURIComponent(u.taskId)}`}>{u.taskId}</a>
            </>
          ))
        ) : (
          <span class="muted">{t('videos.js.unused')}</span>
        )}
      </td>
      <td>
        <button
          type="button"
          data-delete-url={`/videos/${encodeURIComponent(v.id)}`}
          data-name={v.originalName}
          disabled={used}
          title={used ? t('videos.delete.inUse') : undefined}
        >
          {t('videos.js.delete')}
          <span class="sr-only"> {v.originalName}</span>
        </button>
        <span class="field-error" data-field="error" role="alert"></span>
      </td>
    </tr>
  );
}

/** The upload area and the library, newest first. */
export function VideosPage(props: { videos: LibraryVideoView[]; uploadsUrl: string; maxBytes: number; chunkBytes: number }) {
  const t = useT();
  const fmt = useFormat();
  return (
    <Layout title={t('videos.title')}>
      <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      <h1>{t('videos.title')}</h1>
      <section aria-labelledby="upload-heading">
        <h2 id="upload-heading">{t('videos.upload.heading')}</h2>
        <div
          class="drop-zone"
          data-upload-zone
          data-api={`POST ${props.uploadsUrl}, PATCH ${props.uploadsUrl}/{id}, DELETE ${props.uploadsUrl}/{id}`}
          data-uploads-url={props.uploadsUrl}
          data-max-bytes={String(props.maxBytes)}
          data-chunk-bytes={String(props.chunkBytes)}
        >
          <p>{t('videos.upload.drop')}</p>
          <label for="video-files">{t('videos.upload.choose')}</label> <input id="video-files" type="file" multiple accept="video/*" data-upload-input />
          <p class="muted">{t('videos.upload.limit', { size: fmt.bytes(props.maxBytes) })}</p>
        </div>
        <ul class="uploads" data-upload-list aria-label={t('videos.upload.list')} aria-live="polite"></ul>
      </section>
      <section aria-labelledby="library-heading">
        <h2 id="library-heading">{t('videos.library.heading')}</h2>
        <p class="muted" data-library-empty hidden={props.videos.length > 0}>
          {t('videos.library.empty')}
        </p>
        <div class="table-wrap">
          <table class="library" data-library data-api="DELETE /videos/{id}">
            <thead>
              <tr>
                {(
                  ['videos.col.thumbnail', 'videos.col.name', 'videos.col.duration', 'videos.col.resolution', 'videos.col.size', 'videos.col.usedBy', 'videos.col.actions'] as const
                ).map((key) => (
                  <th>{t(key)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.videos.map((v) => (
                <LibraryRow video={v} />
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </Layout>
  );
}
