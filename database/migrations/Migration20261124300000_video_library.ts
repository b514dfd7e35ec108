import { KnexMigration } from './knex-migration';

/** The video library: originals uploaded through the console, with what their probe found. */
export class Migration20261124300000_video_library extends KnexMigration {
  override async up(): Promise<void> {
    this.addAll(
      this.schema().createTable('library_video', (t) => {
        t.string('id', 64).primary();
        t.string('path', 1024).notNullable().unique();
        t.string('original_name', 255).notNullable();
        t.double('size_bytes').notNullable();
        t.double('duration_sec').notNullable();
        t.integer('width').notNullable();
        t.integer('height').notNullable();
        t.datetime('created_at').notNullable();
      }),
    );
  }

  override async down(): Promise<void> {
    this.addAll(this.schema().dropTable('library_video'));
  }
}
