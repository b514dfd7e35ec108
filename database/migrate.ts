/**
 * `npm run db:migrate`: brings the configured database (SQLite file or PostgreSQL) up to the
 * newest schema and exits. The worker and the API migrate on start too; this is for a
 * deployment that migrates once, before starting many of them.
 */
import { loadConfig } from '../config';
import { openDatabase } from './orm';

async function main(): Promise<void> {
  const config = loadConfig();
  const orm = await openDatabase(config.database);
  const done = await orm.getMigrator().getExecutedMigrations();
  // The name only: DATABASE_URL may carry a password.
  console.log(`${config.database.driver} database ${config.database.dbName}: ${done.length} migration(s) applied, up to date`);
  await orm.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
