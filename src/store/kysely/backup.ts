import { sql, type Kysely } from 'kysely';
import type { BackupRepo, BackupRow } from '../sealed-port.js';
import type { Db } from './util.js';

type AnyDb = Kysely<Record<string, BackupRow>>;

/**
 * Every table of migrations 0001–0006, parents before children (foreign keys hold while a restore
 * inserts in this order), each with the columns it is ordered by (its primary key) so a dump is
 * deterministic. A new migration adding a table adds it here; test/ops/backup.test.ts compares
 * this list with the tables the database really has.
 */
export const BACKUP_TABLES: readonly { name: string; order: readonly string[] }[] = [
  { name: 'meta', order: ['key'] },
  { name: 'tenants', order: ['id'] },
  { name: 'users', order: ['id'] },
  { name: 'roles', order: ['id'] },
  { name: 'role_assignments', order: ['id'] },
  { name: 'api_keys', order: ['id'] },
  { name: 'sessions', order: ['id'] },
  { name: 'refresh_tokens', order: ['id'] },
  { name: 'signing_keys', order: ['kid'] },
  { name: 'audit_events', order: ['id'] },
  { name: 'agents', order: ['id'] },
  { name: 'asset_types', order: ['id'] },
  { name: 'iot_resources', order: ['id'] },
  { name: 'iot_policies', order: ['resource_id', 'key_name_key'] },
  { name: 'central_apps', order: ['id'] },
  { name: 'central_api_tokens', order: ['app_id', 'id'] },
  { name: 'central_orgs', order: ['app_id', 'id'] },
  { name: 'central_roles', order: ['app_id', 'id'] },
  { name: 'login_failures', order: ['key'] },
];
const KNOWN = new Set(BACKUP_TABLES.map((t) => t.name));
const PAGE = 1000;

/** Tenants reference their parent: emit each parent before its children. */
function parentsFirst(rows: BackupRow[]): BackupRow[] {
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  const out: BackupRow[] = [];
  const done = new Set<string>();
  const visit = (r: BackupRow) => {
    const id = r.id as string;
    if (done.has(id)) return;
    done.add(id);
    const parent = r.parent_id === null ? undefined : byId.get(r.parent_id as string);
    if (parent) visit(parent);
    out.push(r);
  };
  rows.forEach(visit);
  return out;
}

export const backup = (d: Db, dialect: 'sqlite' | 'postgres'): BackupRepo => {
  const db = d as unknown as AnyDb;
  return {
    async schemaVersion() {
      const r = await db.selectFrom('kysely_migration').select('name').orderBy('name', 'desc').limit(1).executeTakeFirst();
      return (r?.name as string | undefined) ?? '';
    },
    async dump(onRow) {
      // SQLite: the first read of a transaction fixes its WAL snapshot. PostgreSQL: repeatable read
      // is a snapshot for the whole transaction.
      const tx =
        dialect === 'postgres' ? db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only') : db.transaction();
      await tx.execute(async (t) => {
        for (const table of BACKUP_TABLES) {
          if (table.name === 'tenants') {
            for (const r of parentsFirst(await t.selectFrom('tenants').selectAll().orderBy('id').execute())) await onRow('tenants', r);
            continue;
          }
          for (let offset = 0; ; offset += PAGE) {
            let q = t.selectFrom(table.name).selectAll();
            for (const c of table.order) q = q.orderBy(c);
            const rows = await q.limit(PAGE).offset(offset).execute();
            for (const r of rows) await onRow(table.name, r);
            if (rows.length < PAGE) break;
          }
        }
      });
    },
    async isEmpty() {
      // A store being restored may be at an older schema (see restore): only its own tables.
      const present = new Set(
        (dialect === 'postgres'
          ? await sql<{ name: string }>`select tablename as name from pg_catalog.pg_tables where schemaname = current_schema()`.execute(db)
          : await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
        ).rows.map((r) => r.name),
      );
      for (const table of BACKUP_TABLES.filter((t) => present.has(t.name)))
        if (
          await db
            .selectFrom(table.name)
            .select(sql<number>`1`.as('one'))
            .limit(1)
            .executeTakeFirst()
        )
          return false;
      return true;
    },
    async insert(table, rows) {
      if (!KNOWN.has(table)) throw new Error(`unknown table ${table}`);
      for (let i = 0; i < rows.length; i += 100)
        await db
          .insertInto(table)
          .values(rows.slice(i, i + 100))
          .execute();
    },
  };
};
