/**
 * Prepared statements kept for reuse. Kysely's SQLite driver prepares every
 * query afresh (`db.prepare(sql)` per call): a third of a millisecond each,
 * most of the Host's per-task SQL cost once the writes are grouped. The
 * Host's queries come from a handful of shapes, so the same SQL text recurs
 * and its statement can be reused (better-sqlite3 rebinds parameters on
 * each run). Shapes that vary with their input (`in (?, ?, ...)` of some
 * length, an update of some set of columns) are bounded by least-recent
 * eviction.
 *
 * Safe because every use of a statement is synchronous (`all`/`run` finish
 * before the next query starts); a streamed query (`iterate`) would hold its
 * statement busy, so none of the Host's stores stream.
 */
import type SQLite from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/** Default number of statements kept. */
const DEFAULT_CAPACITY = 256;

/** A Kysely SqliteDatabase over `raw` whose `prepare` reuses statements by SQL text. */
export function cachingDatabase(raw: SQLite.Database, capacity = DEFAULT_CAPACITY): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached) {
        // Most recently used last: the first key is the one to evict.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = raw.prepare(sql) as unknown as SqliteStatement;
      cache.set(sql, statement);
      if (cache.size > capacity) cache.delete(cache.keys().next().value!);
      return statement;
    },
    close(): void {
      cache.clear();
      raw.close();
    },
  };
}
