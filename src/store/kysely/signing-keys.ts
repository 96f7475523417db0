import type { SigningKey } from '../../domain/types.js';
import type { SigningKeyRepo } from '../port.js';
import { affected, guardUnique, numOrNull, num, type Db } from './util.js';
import type { DB } from './schema.js';

const toSigningKey = (r: DB['signing_keys']): SigningKey => ({
  kid: r.kid,
  alg: r.alg,
  publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>,
  privateEnc: r.private_enc,
  createdAt: num(r.created_at),
  retiredAt: numOrNull(r.retired_at),
  verifyUntil: numOrNull(r.verify_until),
});

export const signingKeys = (db: Db): SigningKeyRepo => ({
  async insert(k) {
    await guardUnique(
      'signing_keys',
      db
        .insertInto('signing_keys')
        .values({
          kid: k.kid,
          alg: k.alg,
          public_jwk: JSON.stringify(k.publicJwk),
          private_enc: k.privateEnc,
          created_at: k.createdAt,
          retired_at: k.retiredAt,
          verify_until: k.verifyUntil,
        })
        .execute(),
    );
  },
  async list() {
    return (await db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute()).map(toSigningKey);
  },
  async retire(kid, at, verifyUntil) {
    await db
      .updateTable('signing_keys')
      .set({ retired_at: at, verify_until: verifyUntil })
      .where('kid', '=', kid)
      .where('retired_at', 'is', null)
      .execute();
  },
  async deleteExpired(now) {
    return affected(await db.deleteFrom('signing_keys').where('verify_until', 'is not', null).where('verify_until', '<', now).execute());
  },
});
