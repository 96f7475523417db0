/**
 * One sealed column value and what its AES-GCM context is made of. The store knows where sealed
 * values live; the core knows how their contexts are spelled (services/master-key.ts).
 */
export type SealedSecret =
  | { kind: 'iot_policy'; tenantId: string; resourceId: string; keyName: string; slot: 'primary' | 'secondary'; sealed: string }
  | { kind: 'central_app'; tenantId: string; appId: string; sealed: string }
  | { kind: 'signing_key'; kid: string; sealed: string };

/** Every sealed column of the store (SAS policy keys, Central app keys, JWT private keys). */
export interface SealedSecretRepo {
  list(): Promise<SealedSecret[]>;
  /**
   * Compare-and-set: writes `sealed` only where the column still holds `s.sealed` (a concurrent
   * write wins; the caller lists again). Answers whether it wrote.
   */
  replace(s: SealedSecret, sealed: string): Promise<boolean>;
}

/** A stored row as the backup file carries it: column → number, string or null (the same on both dialects). */
export type BackupRow = Record<string, string | number | null>;

export interface BackupRepo {
  /** Name of the newest applied migration: the schema version a backup names in its header. */
  schemaVersion(): Promise<string>;
  /**
   * Every row of every table, parents before children (the order `load` needs), all read in one
   * read-only transaction: one snapshot, consistent while other connections write.
   */
  dump(onRow: (table: string, row: BackupRow) => Promise<void> | void): Promise<void>;
  /** No row in any table (a freshly migrated store). */
  isEmpty(): Promise<boolean>;
  /** Inserts rows of known tables; call inside `transaction` so a failed restore leaves nothing. */
  insert(table: string, rows: BackupRow[]): Promise<void>;
}
