/**
 * The audit trail: who did what, when, from where. Entries are gathered
 * and written together a few milliseconds later (one transaction for a
 * burst of submissions); a listing writes what is pending first, so it
 * always shows the calls just made.
 */
import type { Logger } from "pino";
import type { AuditEntry, AuditFilter, AuditRepo, StoredAuditEntry } from "../store/audit-repo.js";

/** How long entries wait to be written together (ms). */
const FLUSH_DELAY_MS = 20;

/** Records and lists audit entries. */
export class AuditLog {
  private pending: AuditEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly repo: AuditRepo,
    private readonly log: Logger,
  ) {}

  /** Queues an entry; it is written within a few milliseconds. */
  record(entry: AuditEntry): void {
    this.pending.push(entry);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /** Writes what is pending; a write that fails is logged with what it held (the calls themselves already succeeded or failed). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing.then(async () => {
      try {
        await this.repo.append(batch);
      } catch (error) {
        this.log.error({ err: error instanceof Error ? error.message : String(error), lost: batch }, "could not write audit entries");
      }
    });
    return this.writing;
  }

  /** Entries matching the filter, newest first, including any just recorded. */
  async list(filter: AuditFilter): Promise<StoredAuditEntry[]> {
    await this.flush();
    return this.repo.list(filter);
  }
}
