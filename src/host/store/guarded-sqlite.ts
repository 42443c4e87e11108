/**
 * Kysely's SQLite dialect with three guards around the one connection:
 *
 * - Storage errors (SQLITE_FULL, SQLITE_IOERR, ...) leave as StorageFaults
 *   that name the database's directory, so a client reads "disk full at
 *   /var/lib/hakuriver: ..." with RESOURCE_EXHAUSTED.
 * - A rollback after SQLite already rolled back (it does on SQLITE_FULL and
 *   some I/O errors) is skipped: Kysely's own ROLLBACK would fail with
 *   "cannot rollback - no transaction is active" and hide the real error.
 * - Before each write transaction the database path must still be the file
 *   that was opened (same device and inode). A file deleted or replaced
 *   under a running Host would otherwise take writes into an unlinked inode
 *   (or its WAL): acknowledged now, gone at restart. One stat per write
 *   transaction is cheap next to the fsync that follows it.
 */
import { statSync } from "node:fs";
import type SQLite from "better-sqlite3";
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  SelectQueryNode,
  SqliteDialect,
  type TransactionSettings,
} from "kysely";
import { StorageFault, asStorageFault } from "../../shared/storage-errors.js";
import { cachingDatabase } from "./statement-cache.js";

/** The database file's identity when it was opened. */
interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

class GuardedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly driver: GuardedDriver,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // A statement outside BEGIN is a transaction of its own: check before it writes.
    if (!SelectQueryNode.is(query.query) && !this.driver.inTransaction()) this.driver.checkFile();
    return this.driver.guard(() => this.inner.executeQuery<R>(query));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class GuardedDriver implements Driver {
  private identity: FileIdentity | undefined;

  constructor(
    private readonly inner: Driver,
    private readonly raw: SQLite.Database,
    private readonly path: string,
  ) {}

  inTransaction(): boolean {
    return this.raw.inTransaction;
  }

  /** Throws UNAVAILABLE when the path no longer leads to the file that is open. */
  checkFile(): void {
    if (!this.identity) return;
    let now: FileIdentity | undefined;
    try {
      now = statSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw asStorageFault(error, this.path, "checking the database file");
    }
    if (now && now.dev === this.identity.dev && now.ino === this.identity.ino) return;
    throw new StorageFault(
      "unavailable",
      this.path,
      `database file ${this.path} was ${now ? "replaced" : "removed"} while the Host was running; refusing writes that would be lost at restart (put the file back and restart the Host; a Host started without it begins with an empty database)`,
    );
  }

  async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw asStorageFault(error, this.path, "writing the database");
    }
  }

  async init(): Promise<void> {
    await this.inner.init();
    if (this.path !== ":memory:" && this.path !== "") {
      const { dev, ino } = statSync(this.path);
      this.identity = { dev, ino };
    }
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GuardedConnection(await this.inner.acquireConnection(), this);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    this.checkFile();
    await this.guard(() => this.inner.beginTransaction(unwrap(connection), settings));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.guard(() => this.inner.commitTransaction(unwrap(connection)));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // SQLite rolled back on its own (SQLITE_FULL, some I/O errors): nothing to undo,
    // and a ROLLBACK now would fail and replace the error that explains why.
    if (!this.raw.inTransaction) return;
    await this.guard(() => this.inner.rollbackTransaction(unwrap(connection)));
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]): Promise<void> {
    await this.guard(() => this.inner.savepoint!(unwrap(connection), name, compile));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]): Promise<void> {
    await this.guard(() => this.inner.rollbackToSavepoint!(unwrap(connection), name, compile));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]): Promise<void> {
    await this.guard(() => this.inner.releaseSavepoint!(unwrap(connection), name, compile));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.inner.releaseConnection(unwrap(connection));
  }

  async destroy(): Promise<void> {
    await this.inner.destroy();
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof GuardedConnection ? connection.inner : connection;
}

/**
 * A SqliteDialect over an open better-sqlite3 handle whose errors come out
 * as StorageFaults naming `path`, whose rollbacks never hide the error that
 * caused them, and which refuses writes once `path` no longer is the file
 * that was opened (`:memory:` skips that check). Statements are prepared
 * once per SQL text (statement-cache.ts).
 */
export class GuardedSqliteDialect extends SqliteDialect {
  constructor(
    private readonly raw: SQLite.Database,
    private readonly path: string,
  ) {
    super({ database: cachingDatabase(raw) });
  }

  override createDriver(): Driver {
    return new GuardedDriver(super.createDriver(), this.raw, this.path);
  }
}
