import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Account } from '../database/entities';
import { openActivityTestDb, type ActivityTestDb } from '../test/fixtures/activity-env';
import { importAccountsCsv } from './import-accounts';
import { browserProxy } from './proxy';
import { saveAccount } from './save-account';

describe('re-importing accounts from CSV', () => {
  let db: ActivityTestDb;
  const browser = new Set(['demo']);
  const stored = (id: string) => db.orm.em.fork().findOneOrFail(Account, id);
  const importCsv = (csv: string) => importAccountsCsv({ orm: db.orm, secrets: db.secrets, browser }, csv);

  before(async () => {
    db = await openActivityTestDb();
    for (const id of ['kept', 'blank']) {
      await saveAccount(db.orm, db.secrets, {
        id,
        platform: 'demo',
        username: `${id}-user`,
        password: 'old-pw',
        proxy: { server: 'http://proxy.example:8080', username: 'pu', password: 'proxy-secret' },
        tags: ['eu', 'cats'],
      });
    }
  });
  after(async () => db?.close());

  it('keeps the proxy and tags of an account when the file has no such columns', async () => {
    const result = await importCsv('id,platform,username,password\nkept,demo,kept-user,new-pw\n');
    assert.deepEqual(result.rows[0]?.result, 'updated');
    const account = await stored('kept');
    assert.deepEqual(account.tags, ['eu', 'cats']);
    assert.deepEqual(browserProxy(account, db.secrets), { server: 'http://proxy.example:8080', username: 'pu', password: 'proxy-secret' });
    assert.ok(account.proxy?.passwordEnc && !JSON.stringify(account.proxy).includes('proxy-secret'), 'the proxy password stays encrypted');
    assert.equal(db.secrets.decrypt(account.passwordEnc, 'password'), 'new-pw');
  });

  it('keeps them too when their cells are blank, and the platform and username a blank cell leaves out', async () => {
    const result = await importCsv('id,platform,username,password,proxy,tags\nblank,,,,,\n');
    assert.deepEqual(result.rows[0], { line: 2, id: 'blank', result: 'updated', issues: [] });
    const account = await stored('blank');
    assert.equal(account.username, 'blank-user');
    assert.deepEqual(account.tags, ['eu', 'cats']);
    assert.equal(browserProxy(account, db.secrets)?.password, 'proxy-secret');
    assert.equal(db.secrets.decrypt(account.passwordEnc, 'password'), 'old-pw');
  });
});
