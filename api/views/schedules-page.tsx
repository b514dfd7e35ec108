import type { RecurringScheduleView } from '../../schedules';
import { usePageLocale, useFormat, useT, type MessageKey } from '../i18n';
import { Layout, StatusBadge, TableHead } from './layout';

/** What the create form held when it was refused, so the person does not type it again. */
export type ScheduleFormValues = Partial<Record<'name' | 'every' | 'at' | 'cron' | 'timeZone' | 'platform' | 'accountIds' | 'folder' | 'newest' | 'caption' | 'options', string>>;

export interface SchedulesPageProps {
  schedules: RecurringScheduleView[];
  /** The schedule just created (`?created=`): announced. */
  created?: string;
  /** Why the create form was refused, field by field. */
  issues?: { field: string; message: string }[];
  form?: ScheduleFormValues;
}

/** The path of a recurring bulk's action, as the page's buttons post to it. */
export function scheduleActionPath(name: string, action: 'pause' | 'resume' | 'trigger' | 'delete'): string {
  return action === 'delete' ? `/dashboard/schedules/${encodeURIComponent(name)}/delete` : `/schedules/${encodeURIComponent(name)}/${action}`;
}

/** Temporal's day names, Sunday first (as `DAYS_OF_WEEK` spells them). */
const WEEKDAY_INDEX: Record<string, number> = { SUNDAY: 0, MONDAY: 1, TUESDAY: 2, WEDNESDAY: 3, THURSDAY: 4, FRIDAY: 5, SATURDAY: 6 };

/** When a recurring bulk fires, in the page's language (weekday names in its locale). */
function When(props: { schedule: RecurringScheduleView }) {
  const t = useT();
  const { locale } = usePageLocale();
  const spec = props.schedule.definition?.spec;
  if (!spec) return <>{t('schedules.when.webUi')}</>;
  const zone = spec.timeZone;
  if (spec.cron !== undefined) return <>{t('schedules.when.cron', { cron: spec.cron, zone })}</>;
  if (spec.calendar) {
    const { hour, minute, dayOfWeek } = spec.calendar;
    const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
    if (!dayOfWeek) return <>{t('schedules.when.daily', { time, zone })}</>;
    // 1 January 2023 was a Sunday: day n of that week names weekday n.
    const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
    const days = dayOfWeek.map((d) => weekday.format(Date.UTC(2023, 0, 1 + (WEEKDAY_INDEX[d] ?? 0)))).join(', ');
    return <>{t('schedules.when.days', { days, time, zone })}</>;
  }
  return <>{spec.every !== undefined ? t('schedules.when.every', { every: spec.every }) : props.schedule.when}</>;
}

function Source(props: { schedule: RecurringScheduleView }) {
  const t = useT();
  const def = props.schedule.definition;
  if (!def) return <span class="muted">{t('schedules.unknown')}</span>;
  const from = def.source.folder !== undefined ? `${def.source.folder}/` : t('schedules.source.driveFolder', { id: def.source.driveFolder?.folderId ?? '' });
  return (
    <>
      {t('schedules.source.newest', { n: def.newest })} <code>{from}</code> {t('schedules.source.accounts', { n: def.accountIds.length, platform: def.platform })}
      <div class="muted">{def.accountIds.slice(0, 5).join(', ') + (def.accountIds.length > 5 ? ', …' : '')}</div>
    </>
  );
}

function LastRun(props: { schedule: RecurringScheduleView }) {
  const t = useT();
  const f = useFormat();
  const last = props.schedule.recentRuns.at(-1);
  if (!last) return <span class="muted">{t('schedules.lastRun.none')}</span>;
  return (
    <>
      <time datetime={last.scheduledAt}>{f.dateTime(last.scheduledAt)}</time>
      <br />
      {last.bulkStatus ? (
        <>
          <a href={`/dashboard/bulks/${encodeURIComponent(last.taskId)}`} data-field="last-bulk">
            {last.taskId}
          </a>{' '}
          <StatusBadge status={last.bulkStatus} />
        </>
      ) : (
        <span class="muted">{t('schedules.lastRun.noBulk', { taskId: last.taskId })}</span>
      )}
    </>
  );
}

function Field(props: { label: MessageKey; name: keyof ScheduleFormValues; form?: ScheduleFormValues; placeholder?: string; hint?: MessageKey }) {
  const t = useT();
  return (
    <label style="display:block;margin:.25rem 0">
      {t(props.label)} <input name={props.name} value={props.form?.[props.name] ?? ''} placeholder={props.placeholder} />
      {props.hint ? <span class="muted"> {t(props.hint)}</span> : null}
    </label>
  );
}

/** A recurring bulk's state: paused (the common badge) or active. */
function State(props: { paused: boolean }) {
  const t = useT();
  if (props.paused) return <StatusBadge status="paused" />;
  return (
    <span class="status status-active" data-status="active">
      {t('schedules.state.active')}
    </span>
  );
}

/**
 * The recurring bulks: when each fires, what it publishes, its next runs and its last
 * bulk, with Pause/Resume, Trigger now and Delete (plain form posts answered with a
 * redirect back here), and a form to create one.
 */
export function SchedulesPage(props: SchedulesPageProps) {
  const t = useT();
  const f = useFormat();
  return (
    <Layout title={t('schedules.title')}>
      <h1>{t('schedules.heading')}</h1>
      {props.created ? (
        <p class="notice" role="status" data-field="notice">
          {t('schedules.created', { name: props.created })}
        </p>
      ) : null}
      <p class="muted">{t('schedules.intro', { id: 'recurring-<name>' })}</p>
      <div class="table-wrap">
        <table data-schedules>
          <TableHead
            columns={[
              t('schedules.col.name'),
              t('schedules.col.when'),
              t('schedules.col.publishes'),
              t('schedules.col.nextRuns'),
              t('schedules.col.lastRun'),
              t('schedules.col.state'),
              t('schedules.col.actions'),
            ]}
          />
          <tbody>
            {props.schedules.map((s) => (
              <tr data-schedule={s.name}>
                <td>
                  <a href={s.webUi}>{s.name}</a>
                </td>
                <td>
                  <When schedule={s} />
                </td>
                <td>
                  <Source schedule={s} />
                </td>
                <td data-field="next-runs">
                  {s.paused ? (
                    <span class="muted">{t('schedules.paused')}</span>
                  ) : (
                    s.nextRuns.slice(0, 3).map((at) => (
                      <div>
                        <time datetime={at}>{f.dateTime(at)}</time>
                      </div>
                    ))
                  )}
                </td>
                <td data-field="last-run">
                  <LastRun schedule={s} />
                </td>
                <td data-field="state">
                  <State paused={s.paused} />
                  {s.note ? <div class="muted">{s.note}</div> : null}
                </td>
                <td>
                  <form class="inline" method="post" action={scheduleActionPath(s.name, s.paused ? 'resume' : 'pause')}>
                    <button type="submit">{s.paused ? t('schedules.resume') : t('schedules.pause')}</button>
                  </form>{' '}
                  <form class="inline" method="post" action={scheduleActionPath(s.name, 'trigger')}>
                    <button type="submit">{t('schedules.trigger')}</button>
                  </form>{' '}
                  <form class="inline" method="post" action={scheduleActionPath(s.name, 'delete')}>
                    <button type="submit">{t('schedules.delete')}</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.schedules.length === 0 ? <p class="muted">{t('schedules.empty')}</p> : null}

      <h2>{t('schedules.new')}</h2>
      {props.issues?.length ? (
        <ul class="error" role="alert" data-field="issues">
          {props.issues.map((i) => (
            <li>
              {i.field}: {i.message}
            </li>
          ))}
        </ul>
      ) : null}
      <form method="post" action="/dashboard/schedules" data-create-schedule>
        <Field label="schedules.form.name" name="name" form={props.form} placeholder="daily-clips" />
        <fieldset>
          <legend>{t('schedules.form.when')}</legend>
          <Field label="schedules.form.at" name="at" form={props.form} placeholder="09:00" />
          <Field label="schedules.form.every" name="every" form={props.form} placeholder="6h" hint="schedules.form.everyHint" />
          <Field label="schedules.form.cron" name="cron" form={props.form} placeholder="0 9 * * MON-FRI" />
          <Field label="schedules.form.timeZone" name="timeZone" form={props.form} placeholder="UTC" />
        </fieldset>
        <Field label="schedules.form.platform" name="platform" form={props.form} placeholder="demo" />
        <Field label="schedules.form.accounts" name="accountIds" form={props.form} placeholder="ann, bob" hint="schedules.form.accountsHint" />
        <Field label="schedules.form.folder" name="folder" form={props.form} placeholder="incoming" />
        <Field label="schedules.form.newest" name="newest" form={props.form} placeholder="3" hint="schedules.form.newestHint" />
        <Field label="schedules.form.caption" name="caption" form={props.form} hint="schedules.form.captionHint" />
        <label style="display:block;margin:.25rem 0">
          {t('schedules.form.options')}{' '}
          <textarea name="options" rows={3} cols={60} placeholder='{"schedule":{"timeZone":"Europe/Berlin","slots":["09:00","13:00"]}}'>
            {props.form?.options ?? ''}
          </textarea>
        </label>
        <button type="submit">{t('schedules.form.create')}</button>
      </form>
    </Layout>
  );
}
