import type { RecurringScheduleView } from '../../schedules';
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

/** An ISO time as `2026-11-25 09:00:00 UTC`. */
function shortTime(iso: string): string {
  return `${iso.replace('T', ' ').slice(0, 19)} UTC`;
}

function Source(props: { schedule: RecurringScheduleView }) {
  const def = props.schedule.definition;
  if (!def) return <span class="muted">unknown</span>;
  const from = def.source.folder !== undefined ? `${def.source.folder}/` : `Drive folder ${def.source.driveFolder?.folderId ?? ''}`;
  return (
    <>
      newest {def.newest} of <code>{from}</code> → {def.accountIds.length} account(s) on {def.platform}
      <div class="muted">{def.accountIds.slice(0, 5).join(', ') + (def.accountIds.length > 5 ? ', …' : '')}</div>
    </>
  );
}

function LastRun(props: { schedule: RecurringScheduleView }) {
  const last = props.schedule.recentRuns.at(-1);
  if (!last) return <span class="muted">not yet</span>;
  return (
    <>
      {shortTime(last.scheduledAt)}
      <br />
      {last.bulkStatus ? (
        <>
          <a href={`/dashboard/bulks/${encodeURIComponent(last.taskId)}`} data-field="last-bulk">
            {last.taskId}
          </a>{' '}
          <StatusBadge status={last.bulkStatus} />
        </>
      ) : (
        <span class="muted">no bulk ({last.taskId}: an empty folder, or still starting)</span>
      )}
    </>
  );
}

function Field(props: { label: string; name: keyof ScheduleFormValues; form?: ScheduleFormValues; placeholder?: string; hint?: string }) {
  return (
    <label style="display:block;margin:.25rem 0">
      {props.label} <input name={props.name} value={props.form?.[props.name] ?? ''} placeholder={props.placeholder} />
      {props.hint ? <span class="muted"> {props.hint}</span> : null}
    </label>
  );
}

/**
 * The recurring bulks: when each fires, what it publishes, its next runs and its last
 * bulk, with Pause/Resume, Trigger now and Delete (plain form posts answered with a
 * redirect back here), and a form to create one.
 */
export function SchedulesPage(props: SchedulesPageProps) {
  return (
    <Layout title="Schedules">
      <h1>Recurring bulks</h1>
      {props.created ? (
        <p class="notice" role="status" data-field="notice">
          created {props.created}
        </p>
      ) : null}
      <p class="muted">
        Each is a Temporal Schedule (<code>recurring-&lt;name&gt;</code>, also on the Web UI's Schedules page): every fire publishes the newest videos of its folder as one bulk, in
        the accounts' slots when its options say so. A fire due while the last one still starts its bulk is skipped.
      </p>
      <table data-schedules>
        <TableHead columns={['name', 'when', 'publishes', 'next runs', 'last run', 'state', '']} />
        <tbody>
          {props.schedules.map((s) => (
            <tr data-schedule={s.name}>
              <td>
                <a href={s.webUi}>{s.name}</a>
              </td>
              <td>{s.when}</td>
              <td>
                <Source schedule={s} />
              </td>
              <td data-field="next-runs">{s.paused ? <span class="muted">(paused)</span> : s.nextRuns.slice(0, 3).map((t) => <div>{shortTime(t)}</div>)}</td>
              <td data-field="last-run">
                <LastRun schedule={s} />
              </td>
              <td data-field="state">
                <StatusBadge status={s.paused ? 'paused' : 'active'} />
                {s.note ? <div class="muted">{s.note}</div> : null}
              </td>
              <td>
                <form class="inline" method="post" action={scheduleActionPath(s.name, s.paused ? 'resume' : 'pause')}>
                  <button type="submit">{s.paused ? 'Resume' : 'Pause'}</button>
                </form>{' '}
                <form class="inline" method="post" action={scheduleActionPath(s.name, 'trigger')}>
                  <button type="submit">Trigger now</button>
                </form>{' '}
                <form class="inline" method="post" action={scheduleActionPath(s.name, 'delete')}>
                  <button type="submit">Delete</button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.schedules.length === 0 ? <p class="muted">No recurring bulks yet.</p> : null}

      <h2>New recurring bulk</h2>
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
        <Field label="name" name="name" form={props.form} placeholder="daily-clips" />
        <fieldset>
          <legend>when (one of)</legend>
          <Field label="every day at" name="at" form={props.form} placeholder="09:00" />
          <Field label="every" name="every" form={props.form} placeholder="6h" hint="s, m, h or d" />
          <Field label="cron" name="cron" form={props.form} placeholder="0 9 * * MON-FRI" />
          <Field label="time zone" name="timeZone" form={props.form} placeholder="UTC" />
        </fieldset>
        <Field label="platform" name="platform" form={props.form} placeholder="demo" />
        <Field label="accounts" name="accountIds" form={props.form} placeholder="ann, bob" hint="comma-separated" />
        <Field label="folder under MEDIA_ROOT" name="folder" form={props.form} placeholder="incoming" />
        <Field label="newest" name="newest" form={props.form} placeholder="3" hint="videos per run" />
        <Field label="caption" name="caption" form={props.form} hint="default: the file name" />
        <label style="display:block;margin:.25rem 0">
          bulk options (JSON, optional){' '}
          <textarea name="options" rows={3} cols={60} placeholder='{"schedule":{"timeZone":"Europe/Berlin","slots":["09:00","13:00"]}}'>
            {props.form?.options ?? ''}
          </textarea>
        </label>
        <button type="submit">Create</button>
      </form>
    </Layout>
  );
}
