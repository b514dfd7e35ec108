/**
 * The stand-in's Login Kit consent screen and its error page, server-rendered with hono/jsx
 * (which escapes every string, so a hostile `state` shows as text). The ids `allow`, `deny`,
 * `user`, `scopes` and the `granted_scope` checkboxes are what browser tests click and read.
 * The page says plainly that it is a local stand-in, so nobody mistakes it for TikTok's sign-in.
 */
import type { FC } from 'hono/jsx';
import { HiddenFields, pageFrame, renderDocument } from '../shared/page';
import { BASIC_SCOPE, SCOPE_DESCRIPTIONS, type ConsentRequest } from './oauth';

/** Where the consent form posts. */
export const APPROVE_PATH = '/v2/auth/authorize/approve/';

/** A user the page offers to sign in as. */
export interface ConsentUser {
  openId: string;
  displayName: string;
  username: string;
}

const STYLE = `
body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#161823}
.banner{font-size:.8rem;color:#757575;border-bottom:1px solid #e3e3e4;padding-bottom:.5rem}
form{display:grid;gap:.8rem}
ul{list-style:none;padding:0}
.buttons{display:flex;gap:.5rem;justify-content:flex-end}
.error{color:#fe2c55}
`;

const Frame = pageFrame({ banner: 'Local TikTok stand-in (clipfleet tests and demo), not TikTok', style: STYLE });

const ConsentPage: FC<{ request: ConsentRequest; users: readonly ConsentUser[] }> = ({ request, users }) => (
  <Frame title="Authorize - TikTok stand-in">
    <h1 id="client">{request.clientKey} would like to:</h1>
    <form id="consent" method="post" action={APPROVE_PATH}>
      <HiddenFields fields={request.fields} />
      <ul id="scopes">
        {request.scopes.map((scope) => (
          <li data-scope={scope}>
            <label>
              {scope === BASIC_SCOPE ? <input type="hidden" name="granted_scope" value={scope} /> : <input type="checkbox" name="granted_scope" value={scope} checked />}{' '}
              {SCOPE_DESCRIPTIONS[scope] ?? scope}
            </label>
          </li>
        ))}
      </ul>
      <label>
        Account{' '}
        <select name="user" id="user">
          {users.map((user) => (
            <option value={user.openId}>{`${user.displayName} (@${user.username})`}</option>
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
    <h1 class="error" id="error" data-error={error}>{`Something went wrong: ${error}`}</h1>
    <p id="error-description">{description}</p>
  </Frame>
);

/** The consent screen for a validated request, as a full HTML document. */
export async function renderConsentPage(request: ConsentRequest, users: readonly ConsentUser[]): Promise<string> {
  return renderDocument(<ConsentPage request={request} users={users} />);
}

/** The page shown instead of a redirect when the client or its redirect URI is not one TikTok knows. */
export async function renderErrorPage(status: number, error: string, description: string): Promise<string> {
  return renderDocument(<ErrorPage status={status} error={error} description={description} />);
}
