/**
 * Schema migrations, in code. Each one is applied once, in name order.
 */
import type { Kysely, Migration, MigrationProvider } from "kysely";

const migrations: Record<string, Migration> = {
  "0001-initial": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("nodes")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("resources_json", "text", (c) => c.notNull())
        .addColumn("usage_json", "text", (c) => c.notNull().defaultTo("{}"))
        .addColumn("last_heartbeat", "integer", (c) => c.notNull())
        .addColumn("drained", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("version", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("registered_at", "integer", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("batches")
        .addColumn("batch_id", "integer", (c) => c.primaryKey())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("task_count", "integer", (c) => c.notNull())
        .addColumn("submitted_at", "integer", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("tasks")
        .addColumn("task_id", "integer", (c) => c.primaryKey())
        .addColumn("batch_id", "integer", (c) => c.notNull().references("batches.batch_id"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("command", "text", (c) => c.notNull())
        .addColumn("args_json", "text", (c) => c.notNull())
        .addColumn("env_json", "text", (c) => c.notNull())
        .addColumn("cores", "real", (c) => c.notNull())
        .addColumn("memory_bytes", "integer", (c) => c.notNull())
        .addColumn("container", "text", (c) => c.notNull())
        .addColumn("privileged", "integer", (c) => c.notNull())
        .addColumn("mounts_json", "text", (c) => c.notNull())
        .addColumn("target", "text", (c) => c.notNull())
        .addColumn("assigned_node", "text")
        .addColumn("numa_node", "integer")
        .addColumn("gpus_json", "text", (c) => c.notNull())
        .addColumn("exit_code", "integer")
        .addColumn("message", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("submitted_at", "integer", (c) => c.notNull())
        .addColumn("started_at", "integer")
        .addColumn("completed_at", "integer")
        .addColumn("ssh_port", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("public_key", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("stdout_final_bytes", "integer", (c) => c.notNull().defaultTo(-1))
        .addColumn("stderr_final_bytes", "integer", (c) => c.notNull().defaultTo(-1))
        .execute();
      await db.schema.createIndex("tasks_status").on("tasks").column("status").execute();
      await db.schema.createIndex("tasks_batch").on("tasks").column("batch_id").execute();
      await db.schema.createIndex("tasks_node_status").on("tasks").columns(["assigned_node", "status"]).execute();
    },
  },
  "0002-auth": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("users")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("created_at", "integer", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("tokens")
        .addColumn("token_id", "text", (c) => c.primaryKey())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("user_name", "text")
        .addColumn("label", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("secret_hash", "text", (c) => c.notNull())
        .addColumn("created_at", "integer", (c) => c.notNull())
        .addColumn("expires_at", "integer")
        .addColumn("revoked_at", "integer")
        .addColumn("last_used_at", "integer")
        .execute();
      await db.schema
        .createTable("audit_events")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("at", "integer", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("target", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("address", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("detail", "text", (c) => c.notNull().defaultTo(""))
        .execute();
      await db.schema.createIndex("audit_events_actor").on("audit_events").columns(["actor", "at"]).execute();
      await db.schema.alterTable("tasks").addColumn("owner", "text", (c) => c.notNull().defaultTo("")).execute();
      await db.schema.alterTable("nodes").addColumn("join_token_id", "text").execute();
    },
  },
  // A VPS's sshd host keys, so clients can check them instead of turning host-key checking off.
  "0003-ssh-host-keys": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("tasks").addColumn("ssh_host_keys", "text", (c) => c.notNull().defaultTo("")).execute();
    },
  },
  // Each task's time limit, sent to its runner, which ends it TIMEOUT once it has run that long.
  "0004-time-limits": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("tasks").addColumn("time_limit_ms", "integer", (c) => c.notNull().defaultTo(0)).execute();
    },
  },
  // Task dependencies (after / after_ok). Each task keeps its own list in a JSON column (read with the
  // row, like gpus_json, so every Task message carries it without a join), and the edges are also a
  // table, indexed by what they point at, because the question asked at run time goes the other way:
  // "who waits for the task that just ended?" (SQLite cannot index into a JSON array). The queue's
  // index leaves waiting tasks out of every scheduling pass, and (batch_id, status) answers "has this
  // batch a task still to end?" without reading the whole batch on each of its tasks' ends.
  "0005-dependencies": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("tasks").addColumn("dependencies_json", "text", (c) => c.notNull().defaultTo("[]")).execute();
      await db.schema.alterTable("tasks").addColumn("awaiting_dependencies", "integer", (c) => c.notNull().defaultTo(0)).execute();
      await db.schema
        .createTable("task_dependencies")
        .addColumn("task_id", "integer", (c) => c.notNull().references("tasks.task_id"))
        .addColumn("on_id", "integer", (c) => c.notNull())
        .addColumn("on_batch", "integer", (c) => c.notNull())
        .addColumn("require_ok", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("task_dependencies_pk", ["task_id", "on_id", "on_batch"])
        .execute();
      await db.schema.createIndex("task_dependencies_on").on("task_dependencies").columns(["on_id", "on_batch"]).execute();
      await db.schema.createIndex("tasks_queue").on("tasks").columns(["status", "awaiting_dependencies"]).execute();
      await db.schema.createIndex("tasks_batch_status").on("tasks").columns(["batch_id", "status"]).execute();
    },
  },
  // GPUs asked for by count (`--gpus N`); the indexes given stay in gpus_json. 0 = none by count.
  "0006-gpu-count": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("tasks").addColumn("gpu_count", "integer", (c) => c.notNull().defaultTo(0)).execute();
    },
  },
  // Task names and labels. Labels live twice: as JSON on the task row (read with it, no join) and
  // one row per label in task_labels, whose (key, value) index lets ListTasks filter in SQL.
  "0007-names-labels": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("tasks").addColumn("name", "text", (c) => c.notNull().defaultTo("")).execute();
      await db.schema.alterTable("tasks").addColumn("labels_json", "text", (c) => c.notNull().defaultTo("{}")).execute();
      await db.schema.createIndex("tasks_name").on("tasks").column("name").execute();
      await db.schema
        .createTable("task_labels")
        .addColumn("task_id", "integer", (c) => c.notNull().references("tasks.task_id"))
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("task_labels_pk", ["task_id", "key"])
        .execute();
      await db.schema.createIndex("task_labels_key_value").on("task_labels").columns(["key", "value", "task_id"]).execute();
    },
  },
  // Why the scheduler put each task where it did, written with the placement itself (no extra statement).
  "0009-placement-reason": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("tasks").addColumn("placement_reason", "text", (c) => c.notNull().defaultTo("")).execute();
    },
  },
  // VPS stop/start/snapshot: where a queued start of a stopped VPS must run (start_on; null = not
  // a restart) and from which snapshot (start_from; "" = its kept container), and the snapshots.
  "0010-vps-lifecycle": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("tasks").addColumn("start_on", "text").execute();
      await db.schema.alterTable("tasks").addColumn("start_from", "text", (c) => c.notNull().defaultTo("")).execute();
      await db.schema
        .createTable("vps_snapshots")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("task_id", "integer", (c) => c.notNull())
        .addColumn("node", "text", (c) => c.notNull())
        .addColumn("owner", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("tarball", "text", (c) => c.notNull())
        .addColumn("size_bytes", "integer", (c) => c.notNull())
        .addColumn("created_at", "integer", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("vps_snapshots_task").on("vps_snapshots").columns(["task_id", "created_at"]).execute();
    },
  },
  // SSH public keys registered for users (hakuriver key add): the jump host lets them through to
  // their owners' VPS. The fingerprint is unique, so an offered key names one user.
  "0011-ssh-keys": {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("ssh_keys")
        .addColumn("key_id", "text", (c) => c.primaryKey())
        .addColumn("user_name", "text", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("key_base64", "text", (c) => c.notNull())
        .addColumn("fingerprint", "text", (c) => c.notNull().unique())
        .addColumn("comment", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("created_at", "integer", (c) => c.notNull())
        .execute();
    },
  },
};

/** Provides the in-code migrations to Kysely's Migrator. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
