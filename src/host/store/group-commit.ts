/**
 * Group commit: writes that arrive while a commit is in progress (or in the
 * same turn of the event loop) are committed together in one transaction,
 * so concurrent submissions share one fsync instead of paying one each.
 *
 * The guarantee is the one an acknowledgement needs: a caller's promise
 * resolves only after the COMMIT that holds its writes has returned, so with
 * `synchronous = FULL` its rows are on disk. If the commit fails, every
 * caller in that group is rejected: nobody is told "stored" for writes that
 * may not be.
 *
 * Each caller's work runs inside its own savepoint, so one caller's failing
 * statement (say a constraint) rolls back only that caller's writes and
 * rejects only that caller; the rest of the group still commits.
 */
import type { ControlledTransaction, Kysely, Transaction } from "kysely";

/** One caller's writes; they must use `trx` only (the connection is held for the whole group). */
export type GroupWork<DB> = (trx: Transaction<DB>) => Promise<void>;

interface Member<DB> {
  readonly work: GroupWork<DB>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Options of {@link GroupCommitter}. */
export interface GroupCommitOptions {
  /**
   * Most callers committed in one transaction (default: no limit). 1 turns
   * grouping off, so each caller pays its own commit (used by the benchmark
   * that measures what grouping buys).
   */
  readonly maxGroupSize?: number;
  /**
   * Told of every committed group: how long its transaction took (seconds,
   * BEGIN to COMMIT returned) and how many callers it held. Not told of a
   * group whose transaction failed.
   */
  readonly onCommit?: (seconds: number, members: number) => void;
}

/** Commits concurrent writes together; see the file comment for the guarantees. */
export class GroupCommitter<DB> {
  private waiting: Member<DB>[] = [];
  /** True from scheduling a flush until its commit has settled, so groups never overlap. */
  private busy = false;
  private readonly maxGroupSize: number;
  private readonly onCommit: ((seconds: number, members: number) => void) | undefined;

  constructor(
    private readonly db: Kysely<DB>,
    options: GroupCommitOptions = {},
  ) {
    this.maxGroupSize = options.maxGroupSize ?? Number.POSITIVE_INFINITY;
    this.onCommit = options.onCommit;
    if (!(this.maxGroupSize >= 1)) throw new Error(`maxGroupSize must be at least 1, got ${options.maxGroupSize}`);
  }

  /** Runs `work` in the next group's transaction; resolves once that transaction is committed. */
  run(work: GroupWork<DB>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ work, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.busy || this.waiting.length === 0) return;
    this.busy = true;
    // One turn of the event loop first: requests that arrived together (one
    // poll phase) join this group instead of each starting its own.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const group = this.waiting.splice(0, this.maxGroupSize);
    try {
      await this.commit(group);
    } finally {
      this.busy = false;
      this.schedule();
    }
  }

  /** Commits one group and settles every member; never throws (each member gets its outcome). */
  private async commit(group: readonly Member<DB>[]): Promise<void> {
    const failures = new Map<Member<DB>, unknown>();
    let trx: ControlledTransaction<DB> | undefined;
    const startedAt = performance.now();
    try {
      trx = await this.db.startTransaction().execute();
      for (const member of group) {
        const inner = await trx.savepoint("member").execute();
        try {
          await member.work(inner);
          await inner.releaseSavepoint("member").execute();
        } catch (error) {
          failures.set(member, error);
          await inner.rollbackToSavepoint("member").execute();
          await inner.releaseSavepoint("member").execute();
        }
      }
      await trx.commit().execute();
    } catch (error) {
      // The transaction (or its commit) failed: none of the group's writes can be trusted on disk.
      const failure = trx && !trx.isCommitted ? await rollBackAfter(trx, error) : error;
      for (const member of group) member.reject(failure);
      return;
    }
    // Outside the transaction's try: an observer's fault must not turn a committed group into a failed one.
    this.onCommit?.((performance.now() - startedAt) / 1000, group.length);
    for (const member of group) {
      if (failures.has(member)) member.reject(failures.get(member));
      else member.resolve();
    }
  }
}

/**
 * Rolls back after a failure and returns the error to report: the original
 * one, or both (an AggregateError) when the rollback failed too. Kysely
 * releases the connection even when ROLLBACK fails, so later groups still run.
 */
async function rollBackAfter<DB>(trx: ControlledTransaction<DB>, error: unknown): Promise<unknown> {
  if (trx.isRolledBack) return error;
  try {
    await trx.rollback().execute();
    return error;
  } catch (rollbackError) {
    return new AggregateError([error, rollbackError], `group commit failed (${String(error)}) and so did its rollback (${String(rollbackError)})`);
  }
}
