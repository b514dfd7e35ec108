import type { Knex } from '@mikro-orm/knex';
import { Migration } from '@mikro-orm/migrations';

/**
 * A migration written with knex's schema builder rather than raw SQL, so the same migration
 * runs on SQLite (the embedded default) and PostgreSQL (many workers).
 */
export abstract class KnexMigration extends Migration {
  /** A fresh schema builder: knex's builder accumulates every call made on it. */
  protected schema(): Knex.SchemaBuilder {
    return this.getKnex().schema;
  }

  /** A schema builder may compile to several statements (indexes); each is run on its own. */
  protected addAll(builder: Knex.SchemaBuilder): void {
    for (const statement of builder.toSQL()) this.addSql(statement.sql);
  }
}
