import { KnexMigration } from './knex-migration';

/** Scheduling: the time each post is planned for (plan time, see scheduling/clock.ts), indexed for an account's recent posts. */
export class Migration20261124200000_planned_at extends KnexMigration {
  override async up(): Promise<void> {
    this.addAll(
      this.schema().alterTable('video_data', (t) => {
        t.datetime('planned_at').nullable();
        t.index(['account_id', 'planned_at']);
      }),
    );
  }

  override async down(): Promise<void> {
    this.addAll(
      this.schema().alterTable('video_data', (t) => {
        t.dropIndex(['account_id', 'planned_at']);
        t.dropColumn('planned_at');
      }),
    );
  }
}
