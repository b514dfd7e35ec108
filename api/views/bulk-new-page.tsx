/**
 * The new-bulk form: videos from the library with a caption each, accounts picked by tag,
 * search or all at once, the preset, the concurrency and "now" or a schedule. The page's
 * script (scripts/bulk-new.ts) sends it as JSON to the API's own routes, `POST
 * /bulk-uploads/preview` and `POST /bulk-uploads`, and puts each refused field's message in
 * the `[data-error-for]` beside it.
 */
import type { Child } from 'hono/jsx';
import { UNIQUIFY_PRESETS, LIMITS, type UniquifyPreset } from '../../contracts/bulk-input';
import { usePageLocale, useFormat, useT, type MessageKey } from '../i18n';
import { Layout } from './layout';
import type { LibraryEntry } from '../../media/library';

/** A library video as the form offers it. */
export type PickableVideo = Pick<LibraryEntry, 'id' | 'path' | 'originalName' | 'sizeBytes' | 'durationSec' | 'width' | 'height'>;

/** An account as the form offers it. */
export interface PickableAccount {
  id: string;
  platform: string;
  username: string;
  tags: string[];
}

export interface BulkNewPageProps {
  /** A fresh task id, as the field starts. */
  taskId: string;
  platforms: string[];
  platform: string;
  videos: PickableVideo[];
  accounts: PickableAccount[];
  /** IANA zones for the schedule's zone select. */
  timeZones: string[];
}

/** The paths the form's script posts to and goes to (its `data-*` attributes). */
export const BULK_NEW_PATHS = { preview: '/bulk-uploads/preview', start: '/bulk-uploads', bulkPage: '/dashboard/bulks/' } as const;

const PRESET_LABELS: Record<UniquifyPreset, MessageKey> = {
  fast: 'bulkNew.preset.fast',
  balanced: 'bulkNew.preset.balanced',
  strong: 'bulkNew.preset.strong',
};

const STYLE = `
.bn fieldset{border:1px solid #d5dae1;border-radius:.4rem;margin:0 0 1rem;padding:.6rem .8rem;background:#fff;min-width:0}
.bn legend{font-weight:600;padding:0 .3rem}
.bn .field{display:block;margin:.5rem 0}
.bn .field>label{display:block;font-weight:500;margin-bottom:.15rem}
.bn .hint{display:block;color:#667;font-size:13px}
.bn input[type=text],.bn input[type=search],.bn input[type=number],.bn input[type=datetime-local],.bn select{width:22rem;max-width:100%;box-sizing:border-box;padding:.25rem .35rem}
.bn .videos{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:.6rem;list-style:none;margin:.4rem 0;padding:0}
.bn .video{border:1px solid #e3e6eb;border-radius:.3rem;padding:.4rem}
.bn .video label.pick{display:flex;gap:.5rem;align-items:flex-start}
.bn .video img{width:96px;height:54px;object-fit:cover;background:#1d2330;flex:none}
.bn .video .name{word-break:break-all}
.bn .video input[type=text]{width:100%}
.bn .account-tools{display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:flex-end}
.bn .account-tools .field{margin:.2rem 0}
.bn .accounts{list-style:none;margin:.5rem 0;padding:0;max-height:22rem;overflow:auto;border-top:1px solid #e3e6eb}
.bn .accounts li{padding:.25rem .1rem;border-bottom:1px solid #eef1f5}
.bn .tag{display:inline-block;background:#eef1f5;border-radius:.6rem;padding:0 .4rem;font-size:12px;margin-left:.25rem}
.bn .radios label{margin-right:1rem;display:inline-block}
.bn .actions{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center}
.bn .actions button{padding:.4rem 1rem}
.bn .preview{background:#eef5ff;border-radius:.3rem;padding:.5rem .7rem;margin:.6rem 0}
.bn .preview:empty{display:none}
@media (max-width:600px){.bn input[type=text],.bn input[type=search],.bn input[type=number],.bn input[type=datetime-local],.bn select{width:100%}}
`;

/** Where a refused field's message goes; `field` is the API's issue field (or a picked item's). */
function ErrorSlot(props: { field: string; id: string }) {
  return <span class="field-error" id={props.id} data-error-for={props.field} role="status"></span>;
}

/** A labelled input with its hint and its error slot under it. */
function Field(props: { id: string; field: string; label: string; hint?: string; children: Child }) {
  return (
    <div class="field">
      <label for={props.id}>
        <span>{props.label}</span>
      </label>
      {props.children}
      {props.hint ? (
        <span class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      <ErrorSlot field={props.field} id={`${props.id}-error`} />
    </div>
  );
}

/** `aria-describedby` of a field: its hint (if any) and its error slot. */
function describedBy(id: string, hint = false): string {
  return hint ? `${id}-hint ${id}-error` : `${id}-error`;
}

function VideoPicker(props: { videos: PickableVideo[] }) {
  const t = useT();
  const f = useFormat();
  return (
    <fieldset>
      <legend>{t('bulkNew.videos')}</legend>
      <ErrorSlot field="videos" id="videos-error" />
      {props.videos.length === 0 ? <p class="muted">{t('bulkNew.videos.empty')}</p> : null}
      <ul class="videos" data-videos>
        {props.videos.map((v) => (
          <li class="video" data-video={v.id}>
            <label class="pick">
              <input type="checkbox" name="video" value={v.path} data-video-pick aria-describedby={`video-${v.id}-error`} />
              <img src={`/videos/${encodeURIComponent(v.id)}/thumbnail`} alt="" width={96} height={54} loading="lazy" />
              <span>
                <span class="name">{v.originalName}</span>
                <span class="hint">{t('bulkNew.videos.meta', { duration: f.duration(v.durationSec), width: v.width, height: v.height, size: f.bytes(v.sizeBytes) })}</span>
              </span>
            </label>
            <div class="field" data-caption hidden>
              <label for={`caption-${v.id}`}>
                <span aria-hidden="true">{t('bulkNew.videos.caption')}</span>
                <span class="sr-only">{t('bulkNew.videos.captionFor', { name: v.originalName })}</span>
              </label>
              <input type="text" id={`caption-${v.id}`} maxlength={LIMITS.captionLength} data-caption-input />
            </div>
            <ErrorSlot field={`video:${v.id}`} id={`video-${v.id}-error`} />
          </li>
        ))}
      </ul>
      <a href="/dashboard/videos">{t('bulkNew.videos.upload')}</a>
    </fieldset>
  );
}

function AccountPicker(props: { accounts: PickableAccount[] }) {
  const t = useT();
  const tags = [...new Set(props.accounts.flatMap((a) => a.tags))].sort();
  return (
    <fieldset>
      <legend>{t('bulkNew.accounts')}</legend>
      <div class="account-tools">
        <div class="field">
          <label for="account-tag">
            <span>{t('bulkNew.accounts.tag')}</span>
          </label>
          <select id="account-tag" data-account-tag>
            <option value="">{t('bulkNew.accounts.anyTag')}</option>
            {tags.map((tag) => (
              <option value={tag}>{tag}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="account-search">
            <span>{t('bulkNew.accounts.search')}</span>
          </label>
          <input type="search" id="account-search" placeholder={t('bulkNew.accounts.searchPlaceholder')} data-account-search />
        </div>
        <div class="field">
          <button type="button" data-select="all">
            {t('bulkNew.accounts.selectAll')}
          </button>{' '}
          <button type="button" data-select="none">
            {t('bulkNew.accounts.selectNone')}
          </button>{' '}
          <span class="muted" data-selected-count aria-live="polite"></span>
        </div>
      </div>
      <ErrorSlot field="accountIds" id="accounts-error" />
      {props.accounts.length === 0 ? <p class="muted">{t('bulkNew.accounts.empty')}</p> : null}
      <ul class="accounts" data-accounts>
        {props.accounts.map((a) => (
          <li data-account={a.id} data-platform={a.platform} data-tags={JSON.stringify(a.tags)} data-search={`${a.id} ${a.username}`.toLowerCase()}>
            <label>
              <input type="checkbox" name="account" value={a.id} data-account-pick aria-describedby={`account-${a.id}-error`} /> <strong>{a.id}</strong>{' '}
              <span class="muted">{a.username}</span>
              {a.tags.length ? <span class="sr-only">{t('bulkNew.accounts.tags', { tags: a.tags.join(', ') })}</span> : null}
              {a.tags.map((tag) => (
                <span class="tag" aria-hidden="true">
                  {tag}
                </span>
              ))}
            </label>
            <ErrorSlot field={`account:${a.id}`} id={`account-${a.id}-error`} />
          </li>
        ))}
      </ul>
      <p class="muted" data-no-accounts hidden>
        {t('bulkNew.js.noneShown')}
      </p>
      <a href="/dashboard/accounts">{t('bulkNew.accounts.add')}</a>
    </fieldset>
  );
}

function SchedulePicker(props: { timeZones: string[] }) {
  const t = useT();
  const { timeZone } = usePageLocale();
  return (
    <fieldset>
      <legend>{t('bulkNew.when')}</legend>
      <div class="radios">
        <label>
          <input type="radio" name="when" value="now" checked data-when /> {t('bulkNew.when.now')}
        </label>
        <label>
          <input type="radio" name="when" value="schedule" data-when /> {t('bulkNew.when.schedule')}
        </label>
      </div>
      <ErrorSlot field="options.schedule" id="schedule-error" />
      <div data-schedule hidden>
        <Field id="schedule-start" field="options.schedule.publishAt" label={t('bulkNew.schedule.start')} hint={t('bulkNew.schedule.startHint')}>
          <input type="datetime-local" id="schedule-start" data-schedule-field="publishAt" aria-describedby={describedBy('schedule-start', true)} />
        </Field>
        <Field id="schedule-zone" field="options.schedule.timeZone" label={t('bulkNew.schedule.zone')}>
          <select id="schedule-zone" data-schedule-field="timeZone" aria-describedby={describedBy('schedule-zone')}>
            {props.timeZones.map((z) => (
              <option value={z} selected={z === timeZone}>
                {z}
              </option>
            ))}
          </select>
        </Field>
        <Field id="schedule-slots" field="options.schedule.slots" label={t('bulkNew.schedule.slots')} hint={t('bulkNew.schedule.slotsHint')}>
          <input type="text" id="schedule-slots" placeholder="09:00, 13:30, 19:00" data-schedule-field="slots" aria-describedby={describedBy('schedule-slots', true)} />
        </Field>
        <Field id="schedule-spacing" field="options.schedule.minSpacingMinutes" label={t('bulkNew.schedule.spacing')}>
          <input
            type="number"
            id="schedule-spacing"
            min={0}
            step="any"
            inputmode="decimal"
            value="0"
            data-schedule-field="minSpacingMinutes"
            aria-describedby={describedBy('schedule-spacing')}
          />
        </Field>
        <Field id="schedule-daily-max" field="options.schedule.dailyMax" label={t('bulkNew.schedule.dailyMax')} hint={t('bulkNew.schedule.dailyMaxHint')}>
          <input
            type="number"
            id="schedule-daily-max"
            min={1}
            step={1}
            inputmode="numeric"
            data-schedule-field="dailyMax"
            aria-describedby={describedBy('schedule-daily-max', true)}
          />
        </Field>
        <Field id="schedule-jitter" field="options.schedule.jitterMinutes" label={t('bulkNew.schedule.jitter')}>
          <input
            type="number"
            id="schedule-jitter"
            min={0}
            step="any"
            inputmode="decimal"
            value="0"
            data-schedule-field="jitterMinutes"
            aria-describedby={describedBy('schedule-jitter')}
          />
        </Field>
      </div>
    </fieldset>
  );
}

/** The new-bulk page. */
export function BulkNewPage(props: BulkNewPageProps) {
  const t = useT();
  const { timeZone } = usePageLocale();
  return (
    <Layout title={t('bulkNew.title')}>
      <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      <h1>{t('bulkNew.title')}</h1>
      <p class="muted">{t('bulkNew.intro')}</p>
      <form
        class="bn"
        novalidate
        data-bulk-new
        data-api={`POST ${BULK_NEW_PATHS.preview}, POST ${BULK_NEW_PATHS.start}`}
        data-preview-url={BULK_NEW_PATHS.preview}
        data-start-url={BULK_NEW_PATHS.start}
        data-bulk-page={BULK_NEW_PATHS.bulkPage}
        data-time-zone={timeZone}
      >
        <fieldset>
          <legend>{t('bulkNew.basics')}</legend>
          <Field id="task-id" field="taskId" label={t('bulkNew.taskId')} hint={t('bulkNew.taskId.hint')}>
            <input type="text" id="task-id" value={props.taskId} autocomplete="off" spellcheck={false} data-input="taskId" aria-describedby={describedBy('task-id', true)} />
          </Field>
          <Field id="platform" field="platform" label={t('bulkNew.platform')}>
            <select id="platform" data-input="platform" aria-describedby={describedBy('platform')}>
              {props.platforms.map((p) => (
                <option value={p} selected={p === props.platform}>
                  {p}
                </option>
              ))}
            </select>
          </Field>
        </fieldset>
        <VideoPicker videos={props.videos} />
        <AccountPicker accounts={props.accounts} />
        <fieldset>
          <legend>{t('bulkNew.options')}</legend>
          <Field id="preset" field="options.uniquifyPreset" label={t('bulkNew.preset')}>
            <select id="preset" data-input="uniquifyPreset" aria-describedby={describedBy('preset')}>
              {UNIQUIFY_PRESETS.map((p) => (
                <option value={p}>{t(PRESET_LABELS[p])}</option>
              ))}
            </select>
          </Field>
          <Field id="concurrency" field="options.concurrency" label={t('bulkNew.concurrency')}>
            <input
              type="number"
              id="concurrency"
              min={1}
              max={LIMITS.maxConcurrency}
              step={1}
              inputmode="numeric"
              value="3"
              data-input="concurrency"
              aria-describedby={describedBy('concurrency')}
            />
          </Field>
        </fieldset>
        <SchedulePicker timeZones={props.timeZones} />
        <p class="error" role="alert" data-form-error></p>
        <div class="preview" role="status" aria-live="polite" data-preview></div>
        <div class="actions">
          <button type="button" data-action="preview">
            {t('bulkNew.preview')}
          </button>
          <button type="submit" data-action="start">
            {t('bulkNew.start')}
          </button>
        </div>
      </form>
    </Layout>
  );
}
