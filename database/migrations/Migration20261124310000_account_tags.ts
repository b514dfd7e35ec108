import { KnexMigration } from './knex-migration';

/**
 * Account tags: labels to pick many accounts at once. A JSON array, `[]` for every account
 * there is. And the outcome of the last sign-in (a check or an upload), so the Accounts page
 * can tell a signed-in browser account from one whose sign-in failed.
 */
export class Migration20261124310000_account_tags extends KnexMigration {
  override async up(): Promise<void> {
    this.addAll(
      this.schema().alterTable('account', (t) => {
        t.json('tags').notNullable().defaultTo('[]');
        t.text('sign_in_error').nullable();
        t.datetime('sign_in_at').nullable();
      }),
    );
  }

  override async down(): Promise<void> {
    this.addAll(
      this.schema().alterTable('account', (t) => {
        t.dropColumn('sign_in_at');
        t.dropColumn('sign_in_error');
        t.dropColumn('tags');
      }),
    );
  }
}
