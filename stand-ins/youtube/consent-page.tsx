/**
 * The stand-in's consent screen and its error page, server-rendered with hono/jsx (which
 * escapes every string, so a hostile `state` or client id shows as text). The ids `allow`,
 * `deny`, `channel` and `scopes` are what browser tests click and read. The page says plainly
 * that it is a local stand-in, so nobody mistakes it for Google's sign-in.
 */
import type { FC } from 'hono/jsx';
import { HiddenFields, pageFrame, renderDocument } from '../shared/page';
import { SCOPE_DESCRIPTIONS, type Channel, type ConsentRequest } from './oauth';

/** Where the consent form posts. */
export const APPROVE_PATH = '/o/oauth2/v2/auth/approve';

const STYLE = `
body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#202124}
.banner{font-size:.8rem;color:#5f6368;border-bottom:1px solid #dadce0;padding-bottom:.5rem}
form{display:grid;gap:.8rem}
.buttons{display:flex;gap:.5rem;justify-content:flex-end}
.error{color:#b3261e}
`;

const Frame = pageFrame({ banner: 'Local YouTube stand-in (clipfleet tests and demo), not Google', style: STYLE });

const ConsentPage: FC<{ request: ConsentRequest; channels: readonly Channel[] }> = ({ request, channels }) => (
  <Frame title="Sign in - YouTube stand-in">
    <h1 id="client">{request.clientId} wants to:</h1>
    <ul id="scopes">
      {request.scopes.map((scope) => (
        <li data-scope={scope}>{SCOPE_DESCRIPTIONS[scope] ?? scope}</li>
      ))}
    </ul>
    <form id="consent" method="post" action={APPROVE_PATH}>
      <HiddenFields fields={request.fields} />
      <label>
        Channel{' '}
        <select name="channel" id="channel">
          {channels.map((channel) => (
            <option value={channel.id}>{channel.title}</option>
          ))}
        </select>
      </label>
      <div class="buttons">
        <button type="submit" name="decision" value="deny" id="deny">
          Cancel
        </button>
        <button type="submit" name="decision" value="allow" id="allow">
          Allow
        </button>
      </div>
    </form>
  </Frame>
);

const ErrorPage: FC<{ status: number; error: string; description: string }> = ({ status, error, description }) => (
  <Frame title={`Error ${status}: ${error}`}>
    <h1 class="error" id="error" data-error={error}>{`Error ${status}: ${error}`}</h1>
    <p id="error-description">{description}</p>
  </Frame>
);

/** The consent screen for a validated request, as a full HTML document. */
export async function renderConsentPage(request: ConsentRequest, channels: readonly Channel[]): Promise<string> {
  return renderDocument(<ConsentPage request={request} channels={channels} />);
}

/** Google's "Error 400: redirect_uri_mismatch"-style page, as a full HTML document. */
export async function renderErrorPage(status: number, error: string, description: string): Promise<string> {
  return renderDocument(<ErrorPage status={status} error={error} description={description} />);
}
