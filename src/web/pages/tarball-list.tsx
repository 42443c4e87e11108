/**
 * The tarballs in shared storage (ListTarballs), newest first within each
 * environment, shown for every environment or one; each can be deleted
 * (after a confirm), or every tarball of an environment at once.
 */
import { useState } from "preact/hooks";
import type { Tarball } from "../../../gen/hakuriver/v1/environments_pb.js";
import { api, describeError } from "../api.js";
import { When, ErrorText } from "../components.js";
import { environments, refreshEnvironments } from "../environment-data.js";
import { formatBytes } from "../format.js";

/** A delete button that asks once inline, then calls `run`; its error is shown beside it. */
function ConfirmDelete(props: { readonly label: string; readonly question: string; readonly run: () => Promise<unknown> }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const go = async () => {
    setBusy(true);
    setError("");
    try {
      await props.run();
      await refreshEnvironments();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };
  return (
    <span class="actions">
      {asking ? (
        <>
          <span>{props.question}</span>
          <button class="danger" disabled={busy} onClick={() => void go()}>
            Yes, delete
          </button>
          <button onClick={() => setAsking(false)}>Cancel</button>
        </>
      ) : (
        <button class="danger" onClick={() => setAsking(true)}>
          {props.label}
        </button>
      )}
      <ErrorText text={error} />
    </span>
  );
}

function TarballRow(props: { readonly tarball: Tarball }) {
  const { tarball } = props;
  return (
    <tr data-testid={`tarball-${tarball.file}`}>
      <td>{tarball.name}</td>
      <td class="mono">{tarball.file}</td>
      <td>{formatBytes(tarball.sizeBytes)}</td>
      <td>
        <When at={Number(tarball.timestamp) * 1000} />
      </td>
      <td>
        <ConfirmDelete label="Delete" question={`Delete ${tarball.file}?`} run={() => api.deleteTarball({ name: tarball.name, timestamp: tarball.timestamp })} />
      </td>
    </tr>
  );
}

/** Every tarball, with a filter by environment. */
export function TarballList() {
  const [only, setOnly] = useState("");
  const all = environments.value;
  const shown = only === "" ? all : all.filter((env) => env.name === only);
  return (
    <div data-testid="tarballs">
      <div class="toolbar">
        <label>
          Environment
          <select value={only} onChange={(event) => setOnly(event.currentTarget.value)}>
            <option value="">all environments</option>
            {all.map((env) => (
              <option value={env.name}>{env.name}</option>
            ))}
          </select>
        </label>
        {only !== "" && <ConfirmDelete label={`Delete every tarball of ${only}`} question={`Delete all ${shown[0]?.tarballs.length ?? 0} tarballs of ${only}?`} run={() => api.deleteTarball({ name: only, timestamp: 0n })} />}
      </div>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th>Environment</th>
              <th>File</th>
              <th>Size</th>
              <th>Packed</th>
              <th />
            </tr>
          </thead>
          <tbody>{shown.flatMap((env) => env.tarballs.map((tarball) => <TarballRow key={tarball.file} tarball={tarball} />))}</tbody>
        </table>
      </div>
      {shown.length === 0 && <p class="muted">No tarballs yet. Pack a running container above.</p>}
    </div>
  );
}
