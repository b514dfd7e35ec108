import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Account } from '../database/entities';
import { openActivityTestDb, type ActivityTestDb } from '../test/fixtures/activity-env';
import { summarize } from './list-accounts';
import { browserProxy, sealLegacyProxies } from './proxy';

describe('proxies saved before their passwords were encrypted', () => {
  let db: ActivityTestDb;
  const stored = (id: string) => db.orm.em.fork().findOneOrFail(Account, id);

  before(async () => {
    db = await openActivityTestDb();
    for (const id of ['clear', 'in-url', 'sealed', 'none']) await db.addAccount({ id });
    const em = db.orm.em.fork();
    await em.nativeUpdate(Account, { id: 'clear' }, { proxy: { server: 'http://proxy.example:8080', username: 'pu', password: 'clear-secret' } });
    await em.nativeUpdate(Account, { id: 'in-url' }, { proxy: { server: 'http://pu:url-secret@proxy.example:8080' } });
    await em.nativeUpdate(Account, { id: 'sealed' }, { proxy: { server: 'http://proxy.example:8080', passwordEnc: db.secrets.encrypt('sealed-secret') } });
  });
  after(async () => db?.close());

  it('are encrypted by the upgrade, never shown, and still work', async () => {
    assert.equal(await sealLegacyProxies(db.orm, db.secrets), 2);
    for (const [id, secret] of [
      ['clear', 'clear-secret'],
      ['in-url', 'url-secret'],
    ] as const) {
      const account = await stored(id);
      assert.ok(account.proxy?.passwordEnc, `${id}: the password is encrypted`);
      assert.ok(!JSON.stringify(account.proxy).includes(secret), `${id}: no clear password is left in the row`);
      assert.ok(!JSON.stringify(summarize(account, undefined, undefined)).includes(secret), `${id}: the list does not show it`);
      assert.deepEqual(browserProxy(account, db.secrets), { server: 'http://proxy.example:8080', username: 'pu', password: secret });
    }
    assert.equal(browserProxy(await stored('sealed'), db.secrets)?.password, 'sealed-secret');
    assert.equal((await stored('none')).proxy, null);
  });

  it('is done once: a second run finds nothing to do', async () => {
    assert.equal(await sealLegacyProxies(db.orm, db.secrets), 0);
  });
});
