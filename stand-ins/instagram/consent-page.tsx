/**
 * The stand-in's Login dialog and its error page, server-rendered with hono/jsx (which escapes
 * every string, so a hostile `state` shows as text). The ids `continue`, `cancel`, `user` and
 * `scopes` are what browser tests click and read; each permission is a checkbox a person may
 * untick, as in Facebook's "Edit access". The page says plainly that it is a local stand-in.
 */
import type { FC } from 'hono/jsx';
import { HiddenFields, pageFrame, renderDocument } from '../shared/page';
import { PERMISSION_DESCRIPTIONS, type DialogRequest, type FacebookUser } from './oauth';

/** Where the dialog's form posts. */
export const CONFIRM_PATH = '/dialog/oauth/confirm';
/** The form field that carries each permission left ticked. */
export const GRANTED_FIELD = 'granted_scopes';
/** Marks a submission from the dialog's form, so "nothing ticked" differs from "no choice made". */
export const REVIEWED_FIELD = 'scopes_reviewed';

const STYLE = `
body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1c1e21}
.banner{font-size:.8rem;color:#606770;border-bottom:1px solid #dddfe2;padding-bottom:.5rem}
form{display:grid;gap:.8rem}
ul{list-style:none;padding:0}
.buttons{display:flex;gap:.5rem;justify-content:flex-end}
.error{color:#be4b49}
`;

const Frame = pageFrame({ banner: 'Local Facebook Login stand-in (clipfleet tests and demo), not Facebook', style: STYLE });

const DialogPage: FC<{ request: DialogRequest; users: readonly FacebookUser[] }> = ({ request, users }) => (
  <Frame title="Log in with Facebook - stand-in">
    <h1 id="app">{request.appId} is requesting access to:</h1>
    <form id="dialog" method="post" action={CONFIRM_PATH}>
      <HiddenFields fields={request.fields} />
      <input type="hidden" name={REVIEWED_FIELD} value="1" />
      <label>
        Continue as{' '}
        <select name="user" id="user">
          {users.map((user) => (
            <option value={user.id}>{user.name}</option>
          ))}
        </select>
      </label>
      <ul id="scopes">
        {request.scopes.map((scope) => (
          <li>
            <label>
              <input type="checkbox" name={GRANTED_FIELD} value={scope} checked data-scope={scope} /> {PERMISSION_DESCRIPTIONS[scope] ?? scope}
            </label>
          </li>
        ))}
      </ul>
      <div class="buttons">
        <button type="submit" name="decision" value="cancel" id="cancel">
          Cancel
        </button>
        <button type="submit" name="decision" value="continue" id="continue">
          Continue
        </button>
      </div>
    </form>
  </Frame>
);

const ErrorPage: FC<{ title: string; description: string }> = ({ title, description }) => (
  <Frame title={title}>
    <h1 class="error" id="error">
      {title}
    </h1>
    <p id="error-description">{description}</p>
  </Frame>
);

/** The Login dialog for a validated request, as a full HTML document. */
export async function renderDialogPage(request: DialogRequest, users: readonly FacebookUser[]): Promise<string> {
  return renderDocument(<DialogPage request={request} users={users} />);
}

/** Facebook's "URL blocked"-style page, as a full HTML document. */
export async function renderErrorPage(title: string, description: string): Promise<string> {
  return renderDocument(<ErrorPage title={title} description={description} />);
}
