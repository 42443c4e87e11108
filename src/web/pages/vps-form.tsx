/**
 * The form that starts a VPS (SubmitTask with kind VPS): the public key
 * pasted or read from a file, cores, memory, environment, an optional
 * target (node, NUMA node, GPUs), privileged and mounts. The Host checks
 * every field; its error is shown under the field it is about.
 */
import { useState } from "preact/hooks";
import { TaskKind } from "../../../gen/hakuriver/v1/types_pb.js";
import { api, describeError } from "../api.js";
import { FieldError } from "../components.js";
import { environmentNames } from "../environment-data.js";
import { nodes, version } from "../live.js";
import { href } from "../route.js";
import { targetText } from "../submit-input.js";
import { vpsFieldOf, type VpsField } from "../vps-errors.js";

/** The target text the Host parses ("" = auto), from the form's node, NUMA and GPU choices. */
function targetOf(node: string, numa: string, gpus: readonly number[]): string {
  return node === "" ? "" : targetText({ node, numaNode: numa === "" ? undefined : Number(numa), gpus });
}

/** The submit form; `onSubmitted` gets the new task's id. */
export function VpsForm(props: { readonly onSubmitted: (taskId: string) => void }) {
  void version.value;
  const [publicKey, setPublicKey] = useState("");
  const [cores, setCores] = useState("1");
  const [memory, setMemory] = useState("");
  const [timeLimit, setTimeLimit] = useState("");
  const [container, setContainer] = useState("");
  const [node, setNode] = useState("");
  const [numa, setNuma] = useState("");
  const [gpus, setGpus] = useState<number[]>([]);
  const [privileged, setPrivileged] = useState("");
  const [mounts, setMounts] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ readonly field: VpsField; readonly text: string } | undefined>();
  const names = environmentNames();
  const chosen = nodes.get(node);

  const readKeyFile = async (file: File | undefined) => {
    if (!file) return;
    setPublicKey((await file.text()).trim());
  };
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const target = targetOf(node, numa, gpus);
      const response = await api.submitTask({
        kind: TaskKind.VPS,
        publicKey: publicKey.trim(),
        cores: cores.trim() === "" ? 0 : Number(cores),
        memory: memory.trim(),
        timeLimit: timeLimit.trim(),
        container,
        targets: target === "" ? [] : [target],
        ...(privileged === "" ? {} : { privileged: privileged === "yes" }),
        mounts: mounts.split("\n").map((line) => line.trim()).filter((line) => line !== ""),
      });
      const id = response.tasks[0]?.taskId;
      if (id !== undefined) props.onSubmitted(id);
    } catch (caught) {
      const text = describeError(caught);
      setError({ field: vpsFieldOf(text), text });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="panel vps-form"
      data-testid="vps-form"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label class="wide">
        Public key (OpenSSH, one line)
        <textarea name="publicKey" rows={2} value={publicKey} placeholder="ssh-ed25519 AAAA… you@laptop" onInput={(event) => setPublicKey(event.currentTarget.value)} aria-invalid={error?.field === "publicKey"} />
        <span class="inline">
          or load it from a file: <input type="file" name="publicKeyFile" accept=".pub,text/plain" onChange={(event) => void readKeyFile(event.currentTarget.files?.[0])} />
        </span>
        <FieldError field="publicKey" error={error} />
      </label>
      <div class="grid-form">
        <label>
          Cores
          <input name="cores" type="number" min="0" step="any" value={cores} onInput={(event) => setCores(event.currentTarget.value)} aria-invalid={error?.field === "cores"} />
          <FieldError field="cores" error={error} />
        </label>
        <label>
          Memory (2G; empty = none)
          <input name="memory" value={memory} placeholder="2G" onInput={(event) => setMemory(event.currentTarget.value)} aria-invalid={error?.field === "memory"} />
          <FieldError field="memory" error={error} />
        </label>
        <label>
          Time limit (2h30m, 90s; running time; empty = the Host's default)
          <input name="time_limit" value={timeLimit} placeholder="2h30m" onInput={(event) => setTimeLimit(event.currentTarget.value)} aria-invalid={error?.field === "timeLimit"} />
          <FieldError field="timeLimit" error={error} />
        </label>
        <label>
          Environment
          <select name="container" value={container} onChange={(event) => setContainer(event.currentTarget.value)} aria-invalid={error?.field === "container"}>
            <option value="">the Host's default</option>
            {names.map((name) => (
              <option value={name}>{name}</option>
            ))}
          </select>
          <FieldError field="container" error={error} />
        </label>
        <label>
          Node
          <select
            name="node"
            value={node}
            onChange={(event) => {
              setNode(event.currentTarget.value);
              setNuma("");
              setGpus([]);
            }}
            aria-invalid={error?.field === "target"}
          >
            <option value="">any node with room</option>
            {[...nodes.keys()].sort().map((name) => (
              <option value={name}>{name}</option>
            ))}
          </select>
          <FieldError field="target" error={error} />
        </label>
        {chosen && (chosen.resources?.numaNodes.length ?? 0) > 0 && (
          <label>
            NUMA node
            <select name="numa" value={numa} onChange={(event) => setNuma(event.currentTarget.value)}>
              <option value="">any</option>
              {chosen.resources!.numaNodes.map((n) => (
                <option value={String(n.id)}>
                  {n.id} ({n.cores.length} cores)
                </option>
              ))}
            </select>
          </label>
        )}
        {chosen && (chosen.resources?.gpus.length ?? 0) > 0 && (
          <fieldset class="gpus">
            <legend>GPUs</legend>
            {chosen.resources!.gpus.map((gpu) => (
              <label class="inline">
                <input
                  type="checkbox"
                  checked={gpus.includes(gpu.index)}
                  onChange={(event) => setGpus(event.currentTarget.checked ? [...gpus, gpu.index] : gpus.filter((index) => index !== gpu.index))}
                />
                {gpu.index}: {gpu.name}
                {chosen.gpusInUse.includes(gpu.index) && <span class="muted"> (in use)</span>}
              </label>
            ))}
          </fieldset>
        )}
        <label>
          Privileged
          <select name="privileged" value={privileged} onChange={(event) => setPrivileged(event.currentTarget.value)}>
            <option value="">the Host's default</option>
            <option value="yes">yes</option>
            <option value="no">no</option>
          </select>
        </label>
      </div>
      <label class="wide">
        Mounts (one HOST_PATH:/container/path[:ro|:rw] a line; empty = the Host's default)
        <textarea name="mounts" rows={2} value={mounts} onInput={(event) => setMounts(event.currentTarget.value)} aria-invalid={error?.field === "mounts"} />
        <FieldError field="mounts" error={error} />
      </label>
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Submitting…" : "Start VPS"}
        </button>
        {node !== "" && <span class="muted">target: <code>{targetOf(node, numa, gpus)}</code></span>}
        <FieldError field="form" error={error} />
        <a href={href("environments")}>Manage environments</a>
      </div>
    </form>
  );
}
