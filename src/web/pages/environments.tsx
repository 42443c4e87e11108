/**
 * Environments: the Host's environment containers (create from an image,
 * start, stop, delete, open a shell), packing one into a tarball with its
 * progress, and the tarballs in shared storage. Every action shows its
 * error beside what it acted on.
 */
import { useState } from "preact/hooks";
import type { EnvContainer } from "../../../gen/hakuriver/v1/environments_pb.js";
import { api, describeError } from "../api.js";
import { When } from "../components.js";
import { containers, environments, loadError, loaded, refreshEnvironments, useEnvironmentData } from "../environment-data.js";
import { millis } from "../format.js";
import { PackProgress, isPacking, packs, startPack } from "../pack-progress.js";
import { ContainerTerminal } from "../terminal.js";
import { TarballList } from "./tarball-list.js";

function CreateForm() {
  const [name, setName] = useState("");
  const [image, setImage] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ readonly field: "name" | "image"; readonly text: string } | undefined>();
  const [note, setNote] = useState("");
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    setNote("");
    try {
      const result = await api.createContainer({ name: name.trim(), image: image.trim() });
      setNote(result.created ? `Created ${result.container?.name ?? name}.` : `${name} already existed; nothing changed.`);
      setName("");
      setImage("");
      await refreshEnvironments();
    } catch (caught) {
      const text = describeError(caught);
      setError({ field: /environment name|pick another name|container "/.test(text) ? "name" : "image", text });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="panel grid-form"
      data-testid="create-container"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label>
        Name
        <input name="name" value={name} placeholder="myenv" required onInput={(event) => setName(event.currentTarget.value)} aria-invalid={error?.field === "name"} />
        {error?.field === "name" && (
          <span class="field-error" role="alert">
            {error.text}
          </span>
        )}
      </label>
      <label>
        Image on the Host's engine
        <input name="image" value={image} placeholder="ubuntu:22.04" required onInput={(event) => setImage(event.currentTarget.value)} aria-invalid={error?.field === "image"} />
        {error?.field === "image" && (
          <span class="field-error" role="alert">
            {error.text}
          </span>
        )}
      </label>
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Creating…" : "Create container"}
        </button>
        {note !== "" && <span class="muted">{note}</span>}
      </div>
    </form>
  );
}

function ContainerRow(props: { readonly container: EnvContainer; readonly onShell: (name: string) => void }) {
  const { container } = props;
  const [busy, setBusy] = useState("");
  const [error, setError] = useState("");
  const [confirming, setConfirming] = useState(false);
  const running = container.state === "running";
  const packing = isPacking(container.name);
  const act = async (what: string, call: () => Promise<unknown>) => {
    setBusy(what);
    setError("");
    try {
      await call();
      await refreshEnvironments();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy("");
      setConfirming(false);
    }
  };
  const pack = () => {
    const newest = environments.value.find((env) => env.name === container.name)?.tarballs[0];
    void startPack(container.name, Number(newest?.sizeBytes ?? 0n), () => void refreshEnvironments());
  };
  return (
    <>
      <tr data-testid={`container-${container.name}`}>
        <td>
          <strong>{container.name}</strong>
        </td>
        <td class="mono">{container.image}</td>
        <td>
          <span class={`status env-${container.state}`}>{container.state}</span>
        </td>
        <td>
          <When at={millis(container.createdAt)} />
        </td>
        <td>
          <div class="actions">
          {confirming ? (
            <>
              <span>Delete {container.name}?</span>
              <button class="danger" disabled={busy !== ""} onClick={() => void act("delete", () => api.deleteContainer({ name: container.name }))}>
                Yes, delete
              </button>
              <button onClick={() => setConfirming(false)}>Cancel</button>
            </>
          ) : (
            <>
              <button disabled={!running || busy !== ""} onClick={() => props.onShell(container.name)} title={running ? "" : "start the container first"}>
                Shell
              </button>
              <button disabled={running || busy !== ""} onClick={() => void act("start", () => api.startContainer({ name: container.name }))}>
                {busy === "start" ? "Starting…" : "Start"}
              </button>
              <button disabled={!running || busy !== ""} onClick={() => void act("stop", () => api.stopContainer({ name: container.name }))}>
                {busy === "stop" ? "Stopping…" : "Stop"}
              </button>
              <button disabled={packing || busy !== ""} onClick={pack}>
                {packing ? "Packing…" : "Pack tarball"}
              </button>
              <button class="danger" disabled={busy !== "" || packing} onClick={() => setConfirming(true)}>
                Delete
              </button>
            </>
          )}
          </div>
        </td>
      </tr>
      {error !== "" && (
        <tr class="row-error">
          <td colSpan={5}>
            <span class="field-error" role="alert">
              {container.name}: {error}
            </span>
          </td>
        </tr>
      )}
    </>
  );
}

/** The environments page. */
export function EnvironmentsPage() {
  useEnvironmentData();
  const [shell, setShell] = useState<string | undefined>();
  const list = containers.value;
  const running = [...packs.value.values()];
  return (
    <section>
      <h1>Environments</h1>
      <p class="muted">
        An environment is a Docker container on the Host that you set up (install packages in its shell), then pack into a tarball in shared storage; runners load the newest tarball before a task
        uses it.
      </p>
      {loadError.value !== "" && <p class="banner banner-error">Cannot list environments: {loadError.value}</p>}
      <h2>Create a container</h2>
      <CreateForm />
      <h2>Containers on the Host</h2>
      <div class="table-wrap">
        <table class="table" data-testid="containers">
          <thead>
            <tr>
              <th>Name</th>
              <th>Image</th>
              <th>State</th>
              <th>Created</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.map((container) => (
              <ContainerRow key={container.name} container={container} onShell={setShell} />
            ))}
          </tbody>
        </table>
      </div>
      {loaded.value && list.length === 0 && <p class="muted">No environment containers yet. Create one from an image above.</p>}
      {running.map((pack) => (
        <PackProgress
          key={pack.name}
          pack={pack}
          onDismiss={() => {
            const next = new Map(packs.value);
            next.delete(pack.name);
            packs.value = next;
          }}
        />
      ))}
      {shell !== undefined && <ContainerTerminal key={shell} name={shell} onClose={() => setShell(undefined)} />}
      <h2>Tarballs in shared storage</h2>
      <TarballList />
    </section>
  );
}
