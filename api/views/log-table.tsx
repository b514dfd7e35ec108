import type { LogEntry } from '../../logs/log-store';

/**
 * Log lines as a table, followed live by `/assets/dashboard.js`: it opens an EventSource on
 * `data-log-stream`, resuming after the last line rendered here, and appends each new line
 * with `textContent`, so a line is text whatever it contains.
 */
export function LogTable(props: { entries: LogEntry[]; streamUrl: string; showAccount: boolean }) {
  const last = props.entries.at(-1)?.id;
  const url = last ? `${props.streamUrl}${props.streamUrl.includes('?') ? '&' : '?'}after=${encodeURIComponent(last)}` : props.streamUrl;
  return (
    <div class="log" data-log-stream={url} data-show-account={props.showAccount ? '1' : '0'}>
      <table>
        <tbody>
          {props.entries.map((e) => (
            <tr data-id={e.id} class={`lvl-${e.level}`}>
              <td class="muted">{e.time.slice(11, 19)}</td>
              <td>{e.level}</td>
              {props.showAccount ? <td>{e.accountId ?? ''}</td> : null}
              <td class="msg">{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted" data-log-state>
        {props.entries.length ? '' : 'no lines yet'}
      </p>
    </div>
  );
}
