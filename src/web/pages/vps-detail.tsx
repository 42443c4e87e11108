/**
 * One VPS (`#/vps/ID`): where it runs, its SSH port and every field, the
 * commands to log in (with Copy buttons), and Kill / Pause / Resume,
 * each enabled only in the statuses the Host accepts it in.
 */
import { useEffect, useState } from "preact/hooks";
import { TaskKind, TaskStatus, type Task } from "../../../gen/hakuriver/v1/types_pb.js";
import { api } from "../api.js";
import { StatusBadge } from "../components.js";
import { CopyText } from "../copy-text.js";
import { FINAL_STATUSES, duration, formatBytes, millis } from "../format.js";
import { formatTimeLimit } from "../../shared/time-limit.js";
import { Field, TaskActions, TimeField, useTask } from "../task-parts.js";
import { href } from "../route.js";
import { TaskTerminal } from "../terminal.js";
import { jumpCommand, KNOWN_HOSTS_FILE, knownHostsLines, sshCommand, sshConfigBlock, sshConfigCommand } from "../ssh-text.js";

let proxyPort: Promise<number> | undefined;
let jumpPort: Promise<number> | undefined;

/** The Host's SSH proxy port (0 = none), asked once per page load. */
function sshProxyPort(): Promise<number> {
  proxyPort ??= api.describeCluster({}).then((cluster) => cluster.sshProxyPort);
  return proxyPort;
}

/** The Host's SSH jump host port (0 = none), asked once per page load. */
function sshJumpPort(): Promise<number> {
  jumpPort ??= api.describeCluster({}).then((cluster) => cluster.sshJumpPort);
  return jumpPort;
}

/** `ssh -J ...` for machines with stock OpenSSH only, when the Host runs a jump host. */
function JumpLogin(props: { readonly taskId: string }) {
  const [port, setPort] = useState<number | undefined>();
  useEffect(() => {
    sshJumpPort().then(setPort, () => setPort(0));
  }, []);
  if (!port) return null;
  return (
    <>
      <p>
        With stock OpenSSH only (no hakuriver), through the Host's SSH jump host (the key the VPS was submitted with, or one added with <code>hakuriver key add</code>):
      </p>
      <CopyText text={jumpCommand(props.taskId, location.hostname, port)} testId="ssh-jump-command" />
    </>
  );
}

function Login(props: { readonly task: Task }) {
  const [port, setPort] = useState<number | undefined>();
  useEffect(() => {
    sshProxyPort().then(setPort, () => setPort(0));
  }, []);
  const id = props.task.taskId;
  if (FINAL_STATUSES.has(props.task.status)) return <p class="muted">This VPS has ended; there is nothing to log in to.</p>;
  if (props.task.status === TaskStatus.RUNNING && props.task.sshPort === 0) {
    return (
      <div class="panel" data-testid="vps-login">
        <p>This VPS runs no sshd (submitted with <code>--ssh none</code>): open the Terminal above, or a root shell from your machine:</p>
        <CopyText text={`hakuriver vps connect ${id}`} testId="connect-command" />
      </div>
    );
  }
  return (
    <div class="panel" data-testid="vps-login">
      <p>Log in through the Host (works when the node is behind NAT):</p>
      <CopyText text={sshCommand(id)} testId="ssh-command" />
      <JumpLogin taskId={id} />
      <p>
        Or add a Host entry to <code>~/.ssh/config</code>, so plain <code>ssh</code>, <code>scp</code>, <code>sftp</code> and editors use <code>hakuriver-{id}</code>. Run (it creates <code>~/.ssh</code> if needed and replaces an earlier block of this VPS):
      </p>
      <CopyText text={sshConfigCommand(id)} testId="ssh-config-command" />
      <p class="muted">It writes this block (its ProxyCommand names the CLI's own path; this one uses <code>hakuriver</code> on PATH). Host keys are checked, against <code>{KNOWN_HOSTS_FILE}</code>:</p>
      {port === undefined ? <p class="muted">…</p> : port === 0 ? <p class="muted">This Host runs no SSH proxy.</p> : <CopyText block text={sshConfigBlock(id, location.host, port, props.task.sshHostKeys)} testId="ssh-config-block" />}
      {props.task.sshHostKeys.length > 0 ? (
        <>
          <p class="muted">and the VPS's host keys, as the runner read them when sshd started, to <code>{KNOWN_HOSTS_FILE}</code>:</p>
          <CopyText block text={knownHostsLines(id, props.task.sshHostKeys)} testId="ssh-known-hosts" />
        </>
      ) : (
        <p class="muted">The runner has not reported this VPS's host keys yet, so the first login records the key it is shown.</p>
      )}
    </div>
  );
}

/** The detail of VPS `id`. */
export function VpsDetail(props: { readonly id: string }) {
  const { task, error } = useTask(props.id);
  const [terminal, setTerminal] = useState(false);
  const back = <a href={href("vps")}>← all VPS</a>;
  if (error !== "") return <section>{back}<p class="banner banner-error">{error}</p></section>;
  if (!task) return <section>{back}<p class="muted">Loading VPS {props.id}…</p></section>;
  if (task.kind !== TaskKind.VPS) return <section>{back}<p class="banner">Task {task.taskId} is a command task, not a VPS: <a href={href("tasks", task.taskId)}>open it on the Tasks page</a>.</p></section>;
  const started = millis(task.startedAt);
  const completed = millis(task.completedAt);
  return (
    <section>
      {back}
      <h1>
        VPS {task.taskId} <StatusBadge status={task.status} />
      </h1>
      <TaskActions task={task} testId="vps-actions" onTerminal={() => setTerminal(true)} />
      {terminal && <TaskTerminal taskId={task.taskId} vps onClose={() => setTerminal(false)} />}
      <dl class="fields" data-testid="vps-fields">
        <Field label="Status" testId="vps-status"><StatusBadge status={task.status} /></Field>
        <Field label="Node" testId="vps-node">{task.assignedNode || <span class="muted">not placed yet</span>}</Field>
        <Field label="SSH port" testId="vps-ssh-port">{task.sshPort > 0 ? <span class="mono">{task.sshPort}</span> : <span class="muted">not yet (sshd starts after the container)</span>} {task.sshPort > 0 && <span class="muted">on the node's loopback; reach it through the Host</span>}</Field>
        <Field label="Environment">{task.container}</Field>
        <Field label="Cores">{task.cores > 0 ? task.cores : "no limit"}</Field>
        <Field label="Memory">{task.memoryBytes > 0n ? formatBytes(task.memoryBytes) : "no limit"}</Field>
        <Field label="Time limit">{task.timeLimitMs > 0n ? `${formatTimeLimit(Number(task.timeLimitMs))} of running time` : "no limit"}</Field>
        <Field label="Target">{task.target || <span class="muted">auto</span>}</Field>
        <Field label="NUMA node">{task.numaNode ?? <span class="muted">—</span>}</Field>
        <Field label="GPUs">
          {task.gpus.length > 0 ? task.gpus.join(", ") : <span class="muted">{task.gpuCount > 0 ? "none given yet" : "none"}</span>}
          {task.gpuCount > 0 ? <span class="muted"> ({task.gpuCount} asked for by count)</span> : null}
        </Field>
        <Field label="Privileged">{task.privileged ? "yes" : "no"}</Field>
        <Field label="Mounts">{task.mounts.length > 0 ? task.mounts.map((mount) => <div class="mono">{mount}</div>) : <span class="muted">none</span>}</Field>
        <Field label="Owner">{task.owner || <span class="muted">—</span>}</Field>
        <Field label="Name">{task.name || <span class="muted">—</span>}</Field>
        <Field label="Batch">{task.batchId}</Field>
        <TimeField label="Submitted" at={millis(task.submittedAt)} />
        <TimeField label="Started" at={started} />
        <TimeField label="Ended" at={completed} />
        {started !== undefined && <Field label="Up for">{duration(started, completed)}</Field>}
        {task.exitCode !== undefined && <Field label="Exit code">{task.exitCode}</Field>}
        {task.message !== "" && <Field label="Message">{task.message}</Field>}
      </dl>
      <h2>Log in</h2>
      <Login task={task} />
    </section>
  );
}
