import { KnexMigration } from './knex-migration';

/** The first schema. */
export class Migration20261123000000_initial extends KnexMigration {
  override async up(): Promise<void> {
    this.addAll(
      this.schema().createTable('account', (t) => {
        t.string('id', 64).primary();
        t.string('platform', 32).notNullable();
        t.string('username', 255).notNullable();
        t.text('password_enc').notNullable();
        t.text('otp_code_enc').nullable();
        t.text('session_enc').nullable();
        t.json('proxy').nullable();
        t.datetime('created_at').notNullable();
        t.datetime('updated_at').notNullable();
        t.unique(['platform', 'username']);
      }),
    );
    this.addAll(
      this.schema().createTable('bulk_upload_task', (t) => {
        t.string('id', 64).primary();
        t.string('platform', 32).notNullable();
        t.string('workflow_id', 255).notNullable();
        t.string('status', 32).notNullable().index();
        t.json('options').notNullable();
        t.integer('account_count').notNullable().defaultTo(0);
        t.integer('completed_accounts').notNullable().defaultTo(0);
        t.integer('failed_accounts').notNullable().defaultTo(0);
        t.datetime('created_at').notNullable().index();
        t.datetime('updated_at').notNullable();
        t.datetime('finished_at').nullable();
      }),
    );
    this.addAll(
      this.schema().createTable('bulk_upload_account', (t) => {
        t.increments('id');
        t.string('task_id', 64).notNullable().references('id').inTable('bulk_upload_task').onDelete('cascade');
        t.string('account_id', 64).notNullable();
        t.string('workflow_id', 255).notNullable();
        t.string('status', 32).notNullable();
        t.string('current_step', 255).nullable();
        t.text('error').nullable();
        t.datetime('created_at').notNullable();
        t.datetime('updated_at').notNullable();
        t.unique(['task_id', 'account_id']);
      }),
    );
    this.addAll(
      this.schema().createTable('video_data', (t) => {
        t.increments('id');
        t.string('task_id', 64).notNullable().references('id').inTable('bulk_upload_task').onDelete('cascade');
        t.string('account_id', 64).notNullable();
        t.string('video_id', 64).notNullable();
        t.text('original_path').notNullable();
        t.text('caption').notNullable();
        t.text('file_path').nullable();
        t.string('sha256', 64).nullable();
        t.json('applied').nullable();
        t.string('status', 32).notNullable();
        t.string('post_id', 255).nullable();
        t.text('post_url').nullable();
        t.text('error').nullable();
        t.datetime('created_at').notNullable();
        t.datetime('updated_at').notNullable();
        t.unique(['task_id', 'account_id', 'video_id']);
      }),
    );
    this.addAll(
      this.schema().createTable('log_line', (t) => {
        t.increments('id');
        t.string('task_id', 64).notNullable().references('id').inTable('bulk_upload_task').onDelete('cascade').index();
        t.integer('account_id').unsigned().nullable().references('id').inTable('bulk_upload_account').onDelete('cascade').index();
        t.string('source_key', 255).nullable().unique();
        t.datetime('time').notNullable();
        t.string('level', 8).notNullable();
        t.text('message').notNullable();
      }),
    );
  }

  override async down(): Promise<void> {
    for (const table of ['log_line', 'video_data', 'bulk_upload_account', 'bulk_upload_task', 'account']) {
      this.addAll(this.schema().dropTableIfExists(table));
    }
  }
}
