/**
 * Opening the database. SQLite is the embedded default; PostgreSQL is the same code with
 * another driver (install `@mikro-orm/postgresql` and set DB_DRIVER=postgresql,
 * DATABASE_URL=...). Only the connection set-up below knows which one it is.
 */
import { MikroORM, type Options } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import type { Config } from '../config';
import { ENTITIES } from './entities';
import { Migration20261123000000_initial } from './migrations/Migration20261123000000_initial';
import { Migration20261124000000_input_fingerprint } from './migrations/Migration20261124000000_input_fingerprint';
import { Migration20261124100000_api_platforms } from './migrations/Migration20261124100000_api_platforms';
import { Migration20261124200000_planned_at } from './migrations/Migration20261124200000_planned_at';
import { Migration20261124300000_video_library } from './migrations/Migration20261124300000_video_library';
import { Migration20261124310000_account_tags } from './migrations/Migration20261124310000_account_tags';

/** Every migration, in order. Listed in code so bundled or compiled builds find them. */
const MIGRATIONS = [
  { name: 'Migration20261123000000_initial', class: Migration20261123000000_initial },
  { name: 'Migration20261124000000_input_fingerprint', class: Migration20261124000000_input_fingerprint },
  { name: 'Migration20261124100000_api_platforms', class: Migration20261124100000_api_platforms },
  { name: 'Migration20261124200000_planned_at', class: Migration20261124200000_planned_at },
  { name: 'Migration20261124300000_video_library', class: Migration20261124300000_video_library },
  { name: 'Migration20261124310000_account_tags', class: Migration20261124310000_account_tags },
];

/** Both supported drivers (SQLite, PostgreSQL) are knex-based SQL drivers: query builders work on either. */
export type Orm = MikroORM<AbstractSqlDriver>;

interface SqliteHandle {
  run(sql: string, cb: (err: Error | null) => void): void;
  configure(option: 'busyTimeout', ms: number): void;
}

function driverOptions(db: Config['database']): Options<AbstractSqlDriver> {
  if (db.driver === 'sqlite') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SqliteDriver } = require('@mikro-orm/sqlite') as typeof import('@mikro-orm/sqlite');
    return {
      driver: SqliteDriver,
      dbName: db.dbName,
      pool: {
        // The worker and the API write the same file: WAL lets readers run beside the writer,
        // and the busy timeout makes a writer wait instead of failing with SQLITE_BUSY.
        afterCreate: (conn: SqliteHandle, done: (err: Error | null, conn: SqliteHandle) => void) => {
          conn.configure('busyTimeout', 10_000);
          conn.run('PRAGMA journal_mode = WAL', (err) => {
            if (err) return done(err, conn);
            conn.run('PRAGMA synchronous = NORMAL', (err2) => done(err2, conn));
          });
        },
      },
    };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PostgreSqlDriver } = require('@mikro-orm/postgresql') as { PostgreSqlDriver: NonNullable<Options<AbstractSqlDriver>['driver']> };
  return { driver: PostgreSqlDriver, dbName: db.dbName, clientUrl: db.url };
}

/** Opens the database and brings its schema up to date with the migrations. */
export async function openDatabase(db: Config['database'], opts: { migrate?: boolean } = {}): Promise<Orm> {
  const orm = await MikroORM.init<AbstractSqlDriver>({
    ...driverOptions(db),
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    discovery: { warnWhenNoEntities: true },
    allowGlobalContext: false,
    debug: false,
  });
  if (opts.migrate !== false) await orm.getMigrator().up();
  return orm;
}
