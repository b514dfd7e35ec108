import { KnexMigration } from './knex-migration';

/**
 * Each task remembers the fingerprint of the input it was started with, so a task id re-used
 * with other input is refused instead of silently showing the old bulk. Nullable: tasks
 * registered before this migration have none, and are matched by id alone.
 */
export class Migration20261124000000_input_fingerprint extends KnexMigration {
  override async up(): Promise<void> {
    this.addAll(
      this.schema().alterTable('bulk_upload_task', (t) => {
        t.string('input_fingerprint', 64).nullable();
      }),
    );
  }

  override async down(): Promise<void> {
    this.addAll(
      this.schema().alterTable('bulk_upload_task', (t) => {
        t.dropColumn('input_fingerprint');
      }),
    );
  }
}
