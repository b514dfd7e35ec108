import { KnexMigration } from './knex-migration';

/**
 * API platforms (YouTube first): OAuth connections of accounts and the consent requests in
 * flight, the quota each platform project spends per period, and a video's resumable upload
 * session.
 */
export class Migration20261124100000_api_platforms extends KnexMigration {
  override async up(): Promise<void> {
    this.addAll(
      this.schema().createTable('oauth_connection', (t) => {
        t.string('account_id', 64).primary().references('id').inTable('account').onDelete('cascade');
        t.string('platform', 32).notNullable();
        t.text('access_token_enc').notNullable();
        t.text('refresh_token_enc').nullable();
        t.datetime('access_token_expires_at').notNullable();
        t.text('scope').notNullable();
        t.string('status', 32).notNullable();
        t.string('external_id', 255).nullable();
        t.string('external_name', 255).nullable();
        t.text('last_error').nullable();
        t.datetime('connected_at').notNullable();
        t.datetime('updated_at').notNullable();
      }),
    );
    this.addAll(
      this.schema().createTable('oauth_state', (t) => {
        t.string('id', 64).primary();
        t.string('account_id', 64).notNullable().references('id').inTable('account').onDelete('cascade');
        t.string('platform', 32).notNullable();
        t.text('code_verifier_enc').notNullable();
        t.datetime('created_at').notNullable();
        t.datetime('expires_at').notNullable().index();
      }),
    );
    this.addAll(
      this.schema().createTable('quota_usage', (t) => {
        t.increments('id');
        t.string('platform', 32).notNullable();
        t.string('project', 255).notNullable();
        t.string('period', 32).notNullable();
        t.integer('used').notNullable().defaultTo(0);
        t.datetime('updated_at').notNullable();
        t.unique(['platform', 'project', 'period']);
      }),
    );
    this.addAll(
      this.schema().createTable('quota_spend', (t) => {
        t.string('key', 255).primary();
        t.string('platform', 32).notNullable();
        t.string('project', 255).notNullable();
        t.string('period', 32).notNullable();
        t.integer('units').notNullable();
        t.datetime('created_at').notNullable();
      }),
    );
    this.addAll(
      this.schema().alterTable('video_data', (t) => {
        t.json('upload_session').nullable();
      }),
    );
  }

  override async down(): Promise<void> {
    this.addAll(
      this.schema().alterTable('video_data', (t) => {
        t.dropColumn('upload_session');
      }),
    );
    for (const table of ['quota_spend', 'quota_usage', 'oauth_state', 'oauth_connection']) this.addAll(this.schema().dropTableIfExists(table));
  }
}
