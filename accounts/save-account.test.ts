import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Account } from '../database/entities';
import { openActivityTestDb, type ActivityTestDb } from '../test/fixtures/activity-env';
import { accountState } from './account-state';
import { importAccountsCsv } from './import-accounts';
import { patchAccount, saveAccount } from './save-account';

describe('correcting the credentials of an account whose sign-in was refused', () => {
  let db: ActivityTestDb;
  const stored = (id: string) => db.orm.em.fork().findOneOrFail(Account, id);
  /** An account whose last sign-in was refused, with or without a session from before. */
  async function refused(id: string, withSession: boolean): Promise<void> {
    await saveAccount(db.orm, db.secrets, { id, platform: 'demo', username: `${id}-user`, password: 'wrong-pw' });
    await db.orm.em.fork().nativeUpdate(Account, { id }, { signInError: 'Invalid username or password', sessionEnc: withSession ? db.secrets.encrypt('{}') : null });
    assert.equal(accountState(await stored(id), null), 'session_expired');
  }

  before(async () => {
    db = await openActivityTestDb();
  });
  after(async () => db?.close());

  it('a new password through PATCH clears the refusal', async () => {
    await refused('patched', false);
    await patchAccount(db.orm, db.secrets, 'patched', { password: 'right-pw' });
    const account = await stored('patched');
    assert.equal(account.signInError, null);
    assert.equal(accountState(account, null), 'not_signed_in');
  });

  it('a new one-time code through PATCH clears it, keeping the session', async () => {
    await refused('otp', true);
    await patchAccount(db.orm, db.secrets, 'otp', { otpCode: '123456' });
    assert.equal(accountState(await stored('otp'), null), 'signed_in');
  });

  it('a new password in an imported row clears it', async () => {
    await refused('imported', true);
    await importAccountsCsv({ orm: db.orm, secrets: db.secrets, browser: new Set(['demo']) }, 'id,username,password\nimported,imported-user,right-pw\n');
    assert.equal(accountState(await stored('imported'), null), 'signed_in');
  });

  it('a change of tags alone leaves it', async () => {
    await refused('tagged', false);
    await patchAccount(db.orm, db.secrets, 'tagged', { tags: ['eu'] });
    assert.equal(accountState(await stored('tagged'), null), 'session_expired');
  });
});
