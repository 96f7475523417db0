import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/store/dialects/sqlite.js';

// The SQLite dialect reuses prepared statements per SQL text; reuse must stay correct.
describe('SQLite statement cache', () => {
  it('a reused statement gives fresh results with new parameters and follows a schema change', async () => {
    const db = openSqlite(':memory:');
    await sql`create table t (id integer primary key, name text)`.execute(db);
    await sql`insert into t (name) values ('a'), ('b')`.execute(db);
    const byId = (id: number) => sql<Record<string, unknown>>`select * from t where id = ${id}`.execute(db).then((r) => r.rows);
    expect(await byId(1)).toEqual([{ id: 1, name: 'a' }]);
    expect(await byId(2)).toEqual([{ id: 2, name: 'b' }]);
    await sql`alter table t add column extra text default 'x'`.execute(db);
    expect(await byId(1)).toEqual([{ id: 1, name: 'a', extra: 'x' }]);
    await db.destroy();
  });
});
