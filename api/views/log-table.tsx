import type { LogEntry } from '../../logs/log-store';
import { usePageLocale, useT } from '../i18n';

/** On a narrow screen a line wraps under its time, level and account instead of squeezing the message. */
const NARROW_LOG_STYLE = `@media (max-width:600px){.log table,.log tbody{display:block}.log tr{display:flex;flex-wrap:wrap;gap:0 .5rem;padding:.15rem .3rem;border-bottom:1px solid #eef0f3}.log td{padding:0}.log td.msg{flex-basis:100%}}`;

/**
 * Log lines as a table, followed live by `/assets/dashboard.js`: it opens an EventSource on
 * `data-log-stream`, resuming after the last line rendered here, and appends each new line
 * with `textContent`, so a line is text whatever it contains.
 */
export function LogTable(props: { entries: LogEntry[]; streamUrl: string; showAccount: boolean }) {
  const t = useT();
  const { locale, timeZone } = usePageLocale();
  // The clock time in the operator's zone, as `/assets/dashboard.js` writes the lines it adds.
  const clock = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const last = props.entries.at(-1)?.id;
  const url = last ? `${props.streamUrl}${props.streamUrl.includes('?') ? '&' : '?'}after=${encodeURIComponent(last)}` : props.streamUrl;
  return (
    <div class="log" data-log-stream={url} data-show-account={props.showAccount ? '1' : '0'}>
      <style dangerouslySetInnerHTML={{ __html: NARROW_LOG_STYLE }} />
      <table>
        <tbody>
          {props.entries.map((e) => (
            <tr data-id={e.id} class={`lvl-${e.level}`}>
              <td class="muted" title={e.time}>
                {clock.format(new Date(e.time))}
              </td>
              <td>{e.level}</td>
              {props.showAccount ? <td>{e.accountId ?? ''}</td> : null}
              <td class="msg">{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted" data-log-state>
        {props.entries.length ? '' : t('common.js.logs.empty')}
      </p>
    </div>
  );
}
