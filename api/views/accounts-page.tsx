/**
 * The Accounts page: every account with its state, proxy, tags and last post; a filter by
 * tag and search; and the forms to add, edit, check, delete and import accounts. The
 * forms are driven by the page's script (scripts/accounts.ts), which sends them as JSON to
 * the API's own routes (`PUT /accounts`, `PATCH /accounts/{id}`, `POST /accounts/{id}/check`,
 * `DELETE /accounts/{id}`, `POST /accounts/import`) and puts each refused field's message in
 * the `[data-error-for]` beside it. Connect stays a plain form post: its answer is a
 * redirect to the platform's consent page.
 */
import type { AccountSummary } from '../../accounts/list-accounts';
import type { PlatformKind } from '../../contracts/platforms';
import { useFormat, useT, type MessageKey } from '../i18n';
import { Layout, StatusBadge, isWebUrl } from './layout';

export interface AccountsPageProps {
  /** The accounts the filter lets through. */
  accounts: AccountSummary[];
  /** How many accounts there are in all. */
  total: number;
  /** The platforms an account may be on, as the add form offers them. */
  platforms: { name: string; kind: PlatformKind }[];
  /** Every tag in use, for the filter. */
  tags: string[];
  filter: { tag?: string; q?: string };
  /** The account a consent round trip just connected (`?connected=`): announced if it is connected now. */
  connected?: string;
  /** The account the form just added or saved (`?added=`, `?saved=`). */
  added?: string;
  saved?: string;
  /** Why the last Connect could not start. */
  error?: string;
}

/** The path the Connect button of an account posts to. */
export function connectPath(accountId: string): string {
  return `/dashboard/accounts/${encodeURIComponent(accountId)}/connect`;
}

/** The routes the page's script calls, and where it goes after a save (its `data-*` attributes). */
export const ACCOUNTS_PATHS = { accounts: '/accounts', import: '/accounts/import', page: '/dashboard/accounts' } as const;

const STYLE = `
.acc .filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin:.6rem 0}
.acc .filters label{display:block;font-weight:500}
.acc .tag{display:inline-block;background:#eef1f5;border-radius:.6rem;padding:0 .45rem;margin:0 .2rem .2rem 0;font-size:12px;color:#1d2330;text-decoration:none}
.acc .actions{white-space:nowrap}
.acc .actions form,.acc .actions button{display:inline-block;margin:0 .25rem .25rem 0}
.acc .check-message{display:block;font-size:13px}
.acc .status-signed_in{background:#d4f3dc}.acc .status-session_expired{background:#fbd9d9}.acc .status-not_signed_in,.acc .status-not_connected{background:#fde8c8}
.acc tr.attention td{background:#fff3e0}
.acc section{margin:1.4rem 0}
.acc fieldset{border:1px solid #d5dae1;border-radius:.4rem;margin:0 0 1rem;padding:.6rem .8rem;background:#fff;min-width:0}
.acc legend{font-weight:600;padding:0 .3rem}
.acc .field{display:block;margin:.5rem 0}
.acc .field>label{display:block;font-weight:500;margin-bottom:.15rem}
.acc .hint{display:block;color:#667;font-size:13px}
.acc input[type=text],.acc input[type=password],.acc input[type=search],.acc input[type=url],.acc select,.acc textarea{width:22rem;max-width:100%;box-sizing:border-box;padding:.25rem .35rem}
.acc textarea{width:40rem;min-height:8rem;font:12px/1.4 ui-monospace,monospace}
.acc .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:0 1rem}
@media (max-width:600px){
 .acc table[data-accounts] thead{display:none}
 .acc table[data-accounts],.acc table[data-accounts] tbody,.acc table[data-accounts] tr,.acc table[data-accounts] td{display:block;width:auto}
 .acc table[data-accounts] tr{border-bottom:2px solid #d5dae1;padding:.3rem 0}
 .acc table[data-accounts] td{border:0;padding:.15rem .4rem}
 .acc table[data-accounts] td[data-label]::before{content:attr(data-label) ": ";font-weight:600}
 .acc .actions{white-space:normal}
}
`;

/** Who a connection acts as: the channel's name, else its id, since a platform may not tell a name. */
function actsAs(account: AccountSummary, unnamed: string): string {
  return account.connection?.externalName ?? account.connection?.externalId ?? unnamed;
}

/** The table's columns: the header's message and the cell's `data-field`. */
const COLUMNS: { label: MessageKey; field: string }[] = [
  { label: 'accounts.col.account', field: 'id' },
  { label: 'accounts.col.platform', field: 'platform' },
  { label: 'accounts.col.username', field: 'username' },
  { label: 'accounts.col.state', field: 'state' },
  { label: 'accounts.col.proxy', field: 'proxy' },
  { label: 'accounts.col.tags', field: 'tags' },
  { label: 'accounts.col.lastPost', field: 'lastPost' },
  { label: 'accounts.col.actions', field: 'actions' },
];

function StateCell(props: { account: AccountSummary }) {
  const t = useT();
  const f = useFormat();
  const a = props.account;
  return (
    <>
      <StatusBadge status={a.state} field="state-badge" />
      {a.state === 'connected' ? <> {t('accounts.actsAs', { name: actsAs(a, t('accounts.unnamed')) })}</> : null}
      {a.stateDetail ? (
        <>
          :{' '}
          <span class="error" data-field="state-detail">
            {a.stateDetail}
          </span>
        </>
      ) : null}
      {a.kind === 'browser' && a.signInAt ? <span class="hint muted">{t('accounts.signInAt', { time: f.dateTime(a.signInAt) })}</span> : null}
    </>
  );
}

function LastPostCell(props: { account: AccountSummary }) {
  const t = useT();
  const f = useFormat();
  const post = props.account.lastPost;
  if (!post) return <span class="muted">{t('accounts.noPosts')}</span>;
  const when = f.dateTime(post.at);
  return isWebUrl(post.url) ? (
    <a href={post.url} rel="noopener noreferrer" data-field="last-post-link">
      {when}
    </a>
  ) : (
    <span>{when}</span>
  );
}

/** A row's buttons; each names its account for screen readers, which read it out of the table. */
function Actions(props: { account: AccountSummary }) {
  const t = useT();
  const a = props.account;
  const named = (label: string) => (
    <>
      {label}
      <span class="sr-only"> {a.id}</span>
    </>
  );
  return (
    <>
      <button type="button" data-action="edit" hidden>
        {named(t('accounts.edit'))}
      </button>
      {a.kind === 'browser' ? (
        <button type="button" data-action="check" hidden>
          {named(t('accounts.check'))}
        </button>
      ) : (
        <>
          <form class="inline" method="post" action={connectPath(a.id)}>
            <button type="submit">{named(a.connection ? t('accounts.reconnect') : t('accounts.connect'))}</button>
          </form>
          {a.connection ? (
            <button type="button" data-action="check" hidden>
              {named(t('accounts.checkConnection'))}
            </button>
          ) : null}
        </>
      )}
      <button type="button" data-action="delete" hidden>
        {named(t('accounts.delete'))}
      </button>
      <span class="check-message" data-field="check-message" role="status"></span>
    </>
  );
}

function AccountRowView(props: { account: AccountSummary }) {
  const t = useT();
  const a = props.account;
  // What the edit form is filled from: the public fields only.
  const editable = { id: a.id, platform: a.platform, kind: a.kind, username: a.username, tags: a.tags, proxy: a.proxy };
  const attention = a.state === 'needs_reconnect' || a.state === 'session_expired';
  return (
    <tr data-account={a.id} data-kind={a.kind} data-account-json={JSON.stringify(editable)} class={attention ? 'attention' : undefined}>
      <td data-field="id" data-label={t('accounts.col.account')}>
        {a.id}
      </td>
      <td data-field="platform" data-label={t('accounts.col.platform')}>
        {a.platform}
      </td>
      <td data-field="username" data-label={t('accounts.col.username')}>
        {a.username}
      </td>
      <td data-field="state" data-label={t('accounts.col.state')}>
        <StateCell account={a} />
      </td>
      <td data-field="proxy" data-label={t('accounts.col.proxy')}>
        {a.proxy ? a.proxy.server : <span class="muted">{t('accounts.none')}</span>}
      </td>
      <td data-field="tags" data-label={t('accounts.col.tags')}>
        {a.tags.length ? (
          a.tags.map((tag, i) => (
            <>
              {i ? ' ' : null}
              <a class="tag" href={`${ACCOUNTS_PATHS.page}?tag=${encodeURIComponent(tag)}`}>
                {tag}
              </a>
            </>
          ))
        ) : (
          <span class="muted">{t('accounts.none')}</span>
        )}
      </td>
      <td data-field="lastPost" data-label={t('accounts.col.lastPost')}>
        <LastPostCell account={a} />
      </td>
      <td data-field="actions" class="actions">
        <Actions account={a} />
      </td>
    </tr>
  );
}

/** The `[data-error-for]` a field's refusal is written into. */
function FieldError(props: { form: string; field: string }) {
  return <span class="field-error" id={`${props.form}-${props.field}-error`} data-error-for={props.field}></span>;
}

/** A labelled input with its hint and error slot; ids are `<form>-<field>`. */
function Field(props: {
  form: string;
  field: string;
  label: string;
  hint?: string;
  type?: string;
  autocomplete?: string;
  required?: boolean;
  /** Shown only for browser platforms (password, code, proxy). */
  browserOnly?: boolean;
  readonly?: boolean;
}) {
  const id = `${props.form}-${props.field}`;
  const described = [props.hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ');
  return (
    <div class="field" data-browser-only={props.browserOnly ? '' : undefined}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.field}
        type={props.type ?? 'text'}
        autocomplete={props.autocomplete ?? 'off'}
        required={props.required}
        readonly={props.readonly}
        aria-describedby={described}
      />
      {props.hint ? (
        <span class="hint" id={`${id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      <FieldError form={props.form} field={props.field} />
    </div>
  );
}

/** The fields the add and edit forms share; `edit` says secrets left blank are kept. */
function AccountFields(props: { form: 'add' | 'edit' }) {
  const t = useT();
  const { form } = props;
  const secretHint = form === 'edit' ? t('accounts.field.keepHint') : t('accounts.field.secretHint');
  return (
    <>
      <Field form={form} field="username" label={t('accounts.field.username')} required />
      <Field form={form} field="password" label={t('accounts.field.password')} type="password" autocomplete="new-password" hint={secretHint} browserOnly />
      <Field form={form} field="otpCode" label={t('accounts.field.otpCode')} type="password" autocomplete="off" hint={secretHint} browserOnly />
      <div class="grid" data-browser-only="">
        <Field form={form} field="proxy.server" label={t('accounts.field.proxyServer')} type="url" hint={t('accounts.field.proxyServerHint')} />
        <Field form={form} field="proxy.username" label={t('accounts.field.proxyUsername')} />
        <Field form={form} field="proxy.password" label={t('accounts.field.proxyPassword')} type="password" autocomplete="new-password" hint={secretHint} />
      </div>
      <FieldError form={form} field="proxy" />
      <Field form={form} field="tags" label={t('accounts.field.tags')} hint={t('accounts.field.tagsHint')} />
    </>
  );
}

function AddForm(props: { platforms: AccountsPageProps['platforms'] }) {
  const t = useT();
  return (
    <section aria-labelledby="add-heading">
      <h2 id="add-heading">{t('accounts.add.heading')}</h2>
      <form data-account-form="add" data-api={`PUT ${ACCOUNTS_PATHS.accounts}`} data-accounts-url={ACCOUNTS_PATHS.accounts} data-page-url={ACCOUNTS_PATHS.page} hidden novalidate>
        <fieldset>
          <legend>{t('accounts.add.legend')}</legend>
          <div class="field">
            <label for="add-platform">{t('accounts.field.platform')}</label>
            <select id="add-platform" name="platform" aria-describedby="add-platform-hint add-platform-error">
              {props.platforms.map((p) => (
                <option value={p.name} data-kind={p.kind}>
                  {p.name}
                </option>
              ))}
            </select>
            <span class="hint" id="add-platform-hint">
              {t('accounts.field.platformHint')}
            </span>
            <FieldError form="add" field="platform" />
          </div>
          <Field form="add" field="id" label={t('accounts.field.id')} hint={t('accounts.field.idHint')} required />
          <AccountFields form="add" />
          <p class="field-error" data-error-for="(form)" role="alert"></p>
          <button type="submit">{t('accounts.add.submit')}</button>
        </fieldset>
      </form>
    </section>
  );
}

function EditForm() {
  const t = useT();
  return (
    <section aria-labelledby="edit-heading" data-edit-section hidden>
      <h2 id="edit-heading" tabindex={-1}>
        {t('accounts.edit.heading')}
      </h2>
      <form data-account-form="edit" data-api={`PATCH ${ACCOUNTS_PATHS.accounts}/{id}`} data-accounts-url={ACCOUNTS_PATHS.accounts} data-page-url={ACCOUNTS_PATHS.page} novalidate>
        <fieldset>
          <legend>{t('accounts.edit.legend')}</legend>
          <Field form="edit" field="id" label={t('accounts.field.id')} readonly />
          <Field form="edit" field="platform" label={t('accounts.field.platform')} readonly />
          <AccountFields form="edit" />
          <p class="field-error" data-error-for="(form)" role="alert"></p>
          <button type="submit">{t('accounts.edit.submit')}</button>{' '}
          <button type="button" data-action="cancel-edit">
            {t('accounts.edit.cancel')}
          </button>
        </fieldset>
      </form>
    </section>
  );
}

function ImportForm() {
  const t = useT();
  return (
    <section aria-labelledby="import-heading">
      <h2 id="import-heading">{t('accounts.import.heading')}</h2>
      <p class="muted">{t('accounts.import.hint')}</p>
      <form data-import-form data-api={`POST ${ACCOUNTS_PATHS.import}`} data-import-url={ACCOUNTS_PATHS.import} hidden novalidate>
        <fieldset>
          <legend>{t('accounts.import.legend')}</legend>
          <div class="field">
            <label for="import-file">{t('accounts.import.file')}</label>
            <input id="import-file" type="file" accept=".csv,text/csv" data-import-file />
          </div>
          <div class="field">
            <label for="import-csv">{t('accounts.import.text')}</label>
            <textarea id="import-csv" name="csv" spellcheck={false} placeholder="id,platform,username,password,proxy,tags" aria-describedby="import-csv-error"></textarea>
            <FieldError form="import" field="csv" />
          </div>
          <button type="submit">{t('accounts.import.submit')}</button>
        </fieldset>
      </form>
      <div data-import-results role="status"></div>
    </section>
  );
}

function Filters(props: { tags: string[]; filter: AccountsPageProps['filter'] }) {
  const t = useT();
  return (
    <form class="filters" method="get" action={ACCOUNTS_PATHS.page} role="search">
      <div>
        <label for="filter-tag">{t('accounts.filter.tag')}</label>
        <select id="filter-tag" name="tag">
          <option value="">{t('accounts.filter.anyTag')}</option>
          {props.tags.map((tag) => (
            <option value={tag} selected={tag === props.filter.tag}>
              {tag}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="filter-q">{t('accounts.filter.search')}</label>
        <input id="filter-q" type="search" name="q" value={props.filter.q ?? ''} />
      </div>
      <div>
        <button type="submit">{t('accounts.filter.apply')}</button> {props.filter.tag || props.filter.q ? <a href={ACCOUNTS_PATHS.page}>{t('accounts.filter.clear')}</a> : null}
      </div>
    </form>
  );
}

/** The Accounts page. */
export function AccountsPage(props: AccountsPageProps) {
  const t = useT();
  // A stale or hand-typed `?connected=` names no live connection, and then nothing is announced.
  const justConnected = props.accounts.find((a) => a.id === props.connected && a.state === 'connected');
  const filtered = Boolean(props.filter.tag || props.filter.q);
  return (
    <Layout title={t('accounts.title')}>
      <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      <div class="acc">
        <h1>{t('accounts.title')}</h1>
        {justConnected ? (
          <p class="notice" role="status" data-field="notice">
            {t('accounts.connectedNotice', { id: justConnected.id, name: actsAs(justConnected, t('accounts.unnamed')) })}
          </p>
        ) : null}
        {props.added ? (
          <p class="notice" role="status" data-field="notice">
            {t('accounts.addedNotice', { id: props.added })}
          </p>
        ) : null}
        {props.saved ? (
          <p class="notice" role="status" data-field="notice">
            {t('accounts.savedNotice', { id: props.saved })}
          </p>
        ) : null}
        {props.error ? (
          <p class="error" role="alert" data-field="connect-error">
            {props.error}
          </p>
        ) : null}
        <p class="muted">{t('accounts.intro')}</p>
        <noscript>
          <p class="error">{t('accounts.noscript')}</p>
        </noscript>
        <Filters tags={props.tags} filter={props.filter} />
        <p role="status" data-field="page-status"></p>
        <p class="muted" data-field="count">
          {filtered ? t('accounts.countFiltered', { n: props.accounts.length, total: props.total }) : t('accounts.count', { n: props.total })}
        </p>
        <div class="table-wrap">
          <table data-accounts data-api={`DELETE ${ACCOUNTS_PATHS.accounts}/{id}, POST ${ACCOUNTS_PATHS.accounts}/{id}/check`} data-accounts-url={ACCOUNTS_PATHS.accounts}>
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th scope="col">{c.field === 'actions' ? <span class="sr-only">{t(c.label)}</span> : t(c.label)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.accounts.map((a) => (
                <AccountRowView account={a} />
              ))}
            </tbody>
          </table>
        </div>
        {props.accounts.length === 0 ? <p class="muted">{filtered ? t('accounts.noMatch') : t('accounts.empty')}</p> : null}
        <EditForm />
        <AddForm platforms={props.platforms} />
        <ImportForm />
      </div>
    </Layout>
  );
}
