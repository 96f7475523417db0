import type { MetaRepo } from '../port.js';
import { affected, type Db } from './util.js';

export const meta = (db: Db): MetaRepo => ({
  async get(k) {
    return (await db.selectFrom('meta').select('value').where('key', '=', k).executeTakeFirst())?.value;
  },
  async putIfAbsent(k, value) {
    await db
      .insertInto('meta')
      .values({ key: k, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await db.selectFrom('meta').select('value').where('key', '=', k).executeTakeFirstOrThrow()).value;
  },
  async put(k, value) {
    await db
      .insertInto('meta')
      .values({ key: k, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  },
  async delete(k) {
    return affected(await db.deleteFrom('meta').where('key', '=', k).execute()) > 0;
  },
});
