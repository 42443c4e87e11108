/**
 * The submit form: every option of `hakuriver task submit` (command line,
 * env, cores, memory, environment, targets with node / NUMA / GPU pickers
 * that show which GPUs are free, privileged, mounts, sweep with a preview of
 * its combinations, no-queue). The Host checks every field; its error shows
 * under the field it is about.
 */
import { useState } from "preact/hooks";
import { NodeStatus, TaskKind } from "../../../gen/hakuriver/v1/types_pb.js";
import { expandSweep } from "../../shared/spans.js";
import { api, describeError } from "../api.js";
import { FieldError } from "../components.js";
import { environmentNames, useEnvironmentData } from "../environment-data.js";
import { fieldOfError, type SubmitField } from "../field-errors.js";
import { nodes, version } from "../live.js";
import { InputError, lines, parseEnvLines, splitCommandLine, targetText, type TargetChoice } from "../submit-input.js";

type FormError = { readonly field: SubmitField; readonly text: string } | undefined;

/** What the sweep preview shows: the combinations, or why there are none. */
function sweepPreview(commandText: string): { readonly combinations: string[][]; readonly error: string } {
  try {
    return { combinations: expandSweep(splitCommandLine(commandText)), error: "" };
  } catch (caught) {
    return { combinations: [], error: caught instanceof Error ? caught.message : String(caught) };
  }
}

function TargetPicker(props: { readonly targets: readonly TargetChoice[]; readonly onChange: (targets: TargetChoice[]) => void }) {
  void version.value;
  const online = [...nodes.values()].filter((node) => node.status === NodeStatus.ONLINE).sort((a, b) => a.name.localeCompare(b.name));
  const chosen = new Map(props.targets.map((target) => [target.node, target]));
  const update = (name: string, next: TargetChoice | undefined) => {
    const rest = props.targets.filter((target) => target.node !== name);
    props.onChange(next ? [...rest, next] : rest);
  };
  if (online.length === 0) return <p class="muted">No node is online; the task will wait in the queue for one.</p>;
  return (
    <div class="target-picker" data-testid="target-picker">
      {online.map((node) => {
        const choice = chosen.get(node.name);
        return (
          <div class="target-row" key={node.name}>
            <label class="inline">
              <input type="checkbox" name={`target-${node.name}`} checked={choice !== undefined} onChange={(event) => update(node.name, event.currentTarget.checked ? { node: node.name, gpus: [] } : undefined)} />
              {node.name}
            </label>
            {choice && (node.resources?.numaNodes.length ?? 0) > 0 && (
              <select
                name={`numa-${node.name}`}
                value={choice.numaNode === undefined ? "" : String(choice.numaNode)}
                onChange={(event) => update(node.name, { ...choice, numaNode: event.currentTarget.value === "" ? undefined : Number(event.currentTarget.value) })}
              >
                <option value="">any NUMA node</option>
                {node.resources!.numaNodes.map((numa) => (
                  <option value={String(numa.id)}>NUMA {numa.id}</option>
                ))}
              </select>
            )}
            {choice &&
              node.resources?.gpus.map((gpu) => {
                const busy = node.gpusInUse.includes(gpu.index);
                return (
                  <label class="inline gpu-choice" title={gpu.name}>
                    <input
                      type="checkbox"
                      name={`gpu-${node.name}-${gpu.index}`}
                      checked={choice.gpus.includes(gpu.index)}
                      onChange={(event) => update(node.name, { ...choice, gpus: event.currentTarget.checked ? [...choice.gpus, gpu.index] : choice.gpus.filter((index) => index !== gpu.index) })}
                    />
                    GPU {gpu.index} <span class={busy ? "gpu-busy" : "gpu-free"}>{busy ? "in use" : "free"}</span>
                  </label>
                );
              })}
            {choice && <code class="muted">{targetText(choice)}</code>}
          </div>
        );
      })}
    </div>
  );
}

/** The form; `onSubmitted` gets the new tasks' ids, in order. */
export function TaskForm(props: { readonly onSubmitted: (taskIds: string[]) => void }) {
  useEnvironmentData();
  const [commandText, setCommandText] = useState("");
  const [envText, setEnvText] = useState("");
  const [cores, setCores] = useState("1");
  const [memory, setMemory] = useState("");
  const [timeLimit, setTimeLimit] = useState("");
  const [gpuCount, setGpuCount] = useState("");
  const [container, setContainer] = useState("");
  const [targets, setTargets] = useState<TargetChoice[]>([]);
  const [privileged, setPrivileged] = useState("");
  const [mounts, setMounts] = useState("");
  const [sweep, setSweep] = useState(false);
  const [noQueue, setNoQueue] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError>();
  const preview = sweep ? sweepPreview(commandText) : undefined;

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    let field: SubmitField = "command";
    try {
      const words = splitCommandLine(commandText);
      field = "env";
      const env = parseEnvLines(envText);
      field = "gpuCount";
      // Empty = none by count; a whole number goes to the Host, which judges it (and names gpu_count).
      const gpus = gpuCount.trim() === "" ? undefined : Number(gpuCount);
      if (gpus !== undefined && !Number.isSafeInteger(gpus)) throw new InputError(`GPUs by count must be a whole number, 1 or more, got ${gpuCount.trim()}`);
      field = "form";
      const response = await api.submitTask({
        kind: TaskKind.COMMAND,
        command: words[0] ?? "",
        args: words.slice(1),
        env,
        cores: cores.trim() === "" ? 0 : Number(cores),
        memory: memory.trim(),
        timeLimit: timeLimit.trim(),
        ...(gpus === undefined ? {} : { gpuCount: gpus }),
        container,
        targets: targets.map(targetText),
        ...(privileged === "" ? {} : { privileged: privileged === "yes" }),
        mounts: lines(mounts),
        sweep,
        noQueue,
      });
      props.onSubmitted(response.tasks.map((task) => task.taskId));
    } catch (caught) {
      if (caught instanceof InputError) setError({ field, text: caught.message });
      else {
        const text = describeError(caught);
        setError({ field: fieldOfError(text), text });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="panel task-form"
      data-testid="task-form"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label class="wide">
        <span>Command line (as you would type it after <code>hakuriver task submit --</code>)</span>
        <input name="command" class="mono" value={commandText} placeholder="python train.py --lr span:[0.1,0.01]" onInput={(event) => setCommandText(event.currentTarget.value)} aria-invalid={error?.field === "command"} required />
        <FieldError field="command" error={error} />
      </label>
      <div class="grid-form">
        <label>
          Cores
          <input name="cores" type="number" min="0" step="any" value={cores} onInput={(event) => setCores(event.currentTarget.value)} aria-invalid={error?.field === "cores"} />
          <FieldError field="cores" error={error} />
        </label>
        <label>
          Memory (512M, 4G; empty = no limit)
          <input name="memory" value={memory} placeholder="4G" onInput={(event) => setMemory(event.currentTarget.value)} aria-invalid={error?.field === "memory"} />
          <FieldError field="memory" error={error} />
        </label>
        <label>
          Time limit (2h30m, 90s; running time; empty = the Host's default)
          <input name="time_limit" value={timeLimit} placeholder="2h30m" onInput={(event) => setTimeLimit(event.currentTarget.value)} aria-invalid={error?.field === "timeLimit"} />
          <FieldError field="timeLimit" error={error} />
        </label>
        <label>
          GPUs by count (any free ones of one node; empty = none)
          <input name="gpu-count" type="number" min="1" step="1" value={gpuCount} onInput={(event) => setGpuCount(event.currentTarget.value)} aria-invalid={error?.field === "gpuCount"} />
          <FieldError field="gpuCount" error={error} />
        </label>
        <label>
          Environment
          <select name="container" value={container} onChange={(event) => setContainer(event.currentTarget.value)} aria-invalid={error?.field === "container"}>
            <option value="">the Host's default</option>
            <option value="NULL">native (NULL, no container)</option>
            {environmentNames().map((name) => (
              <option value={name}>{name}</option>
            ))}
          </select>
          <FieldError field="container" error={error} />
        </label>
        <label>
          Privileged
          <select name="privileged" value={privileged} onChange={(event) => setPrivileged(event.currentTarget.value)}>
            <option value="">the Host's default</option>
            <option value="yes">yes</option>
            <option value="no">no</option>
          </select>
        </label>
      </div>
      <fieldset class="wide">
        <legend>Targets (none = the Host places it; several = one task each)</legend>
        <TargetPicker targets={targets} onChange={setTargets} />
        <FieldError field="targets" error={error} />
      </fieldset>
      <div class="grid-form">
        <label>
          Environment variables (NAME=VALUE a line)
          <textarea name="env" rows={3} class="mono" value={envText} onInput={(event) => setEnvText(event.currentTarget.value)} aria-invalid={error?.field === "env"} />
          <FieldError field="env" error={error} />
        </label>
        <label>
          Mounts (HOST_PATH:/container/path[:ro] a line)
          <textarea name="mounts" rows={3} class="mono" value={mounts} onInput={(event) => setMounts(event.currentTarget.value)} aria-invalid={error?.field === "mounts"} />
          <FieldError field="mounts" error={error} />
        </label>
      </div>
      <div class="toolbar">
        <label class="inline">
          <input type="checkbox" name="sweep" checked={sweep} onChange={(event) => setSweep(event.currentTarget.checked)} /> Sweep (expand span:{"{a..b}"} and span:[x,y])
        </label>
        <label class="inline">
          <input type="checkbox" name="noQueue" checked={noQueue} onChange={(event) => setNoQueue(event.currentTarget.checked)} /> No queue (refuse if no node has room now)
        </label>
        <FieldError field="noQueue" error={error} />
      </div>
      {preview && (
        <div class="sweep-preview" data-testid="sweep-preview">
          {preview.error !== "" ? (
            <span class="field-error">{preview.error}</span>
          ) : (
            <>
              <strong>{preview.combinations.length} tasks</strong>
              <ul>
                {preview.combinations.slice(0, 20).map((argv) => (
                  <li class="mono">{argv.join(" ")}</li>
                ))}
              </ul>
              {preview.combinations.length > 20 && <span class="muted">… and {preview.combinations.length - 20} more</span>}
            </>
          )}
        </div>
      )}
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Submitting…" : "Submit"}
        </button>
        <FieldError field="form" error={error} />
      </div>
    </form>
  );
}
