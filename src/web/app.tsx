/**
 * The dashboard's frame: asks DescribeCluster whether a token is needed,
 * shows the login form or the pages, the navigation, who is signed in and
 * whether the live stream is connected.
 */
import { useEffect, useState } from "preact/hooks";
import { Role } from "../../gen/hakuriver/v1/auth_pb.js";
import { api, describeError } from "./api.js";
import { connection, startWatching, stopWatching } from "./live.js";
import { Login } from "./login.js";
import { OverviewPage } from "./pages/overview.js";
import { NodesPage } from "./pages/nodes.js";
import { TasksPage } from "./pages/tasks.js";
import { VpsPage } from "./pages/vps.js";
import { EnvironmentsPage } from "./pages/environments.js";
import { href, route, type PageName } from "./route.js";
import { authRequired, caller, refusal, refuseToken, token } from "./session.js";

const NAV: readonly (readonly [PageName, string])[] = [
  ["overview", "Overview"],
  ["nodes", "Nodes"],
  ["tasks", "Tasks"],
  ["vps", "VPS"],
  ["environments", "Environments"],
];

async function signIn(): Promise<void> {
  if (authRequired.value) {
    const me = await api.whoAmI({});
    caller.value = `${me.user} (${(Role[me.role] ?? "").toLowerCase()})`;
  }
  startWatching();
}

function Page() {
  const current = route.value;
  switch (current.page) {
    case "nodes":
      return <NodesPage />;
    case "tasks":
      return <TasksPage id={current.id} />;
    case "vps":
      return <VpsPage id={current.id} />;
    case "environments":
      return <EnvironmentsPage />;
    default:
      return <OverviewPage />;
  }
}

function ConnectionBadge() {
  const state = connection.value;
  const text = state.state === "live" ? "live" : state.state === "connecting" ? "connecting…" : `reconnecting (${state.reason ?? "stream ended"})`;
  return (
    <span class={`connection connection-${state.state}`} data-testid="connection" title={state.reason}>
      {text}
    </span>
  );
}

/** The whole dashboard. */
export function App() {
  const [startError, setStartError] = useState("");
  const [described, setDescribed] = useState(false);

  useEffect(() => {
    api
      .describeCluster({})
      .then(async (cluster) => {
        authRequired.value = cluster.authEnabled;
        setDescribed(true);
        if (!cluster.authEnabled || token.value !== "") await signIn();
      })
      .catch((error: unknown) => setStartError(describeError(error)));
    return stopWatching;
  }, []);

  if (startError !== "") return <p class="banner banner-error">Cannot reach the Host: {startError}</p>;
  if (!described) return <p class="banner">Connecting to the Host…</p>;
  if (authRequired.value && (token.value === "" || refusal.value !== "")) {
    return <Login onSignedIn={() => signIn().catch((error: unknown) => refuseToken(describeError(error)))} />;
  }
  return (
    <div class="frame">
      <header>
        <a class="brand" href={href("overview")}>
          HakuRiver
        </a>
        <nav>
          {NAV.map(([page, label]) => (
            <a href={href(page)} class={route.value.page === page ? "active" : ""}>
              {label}
            </a>
          ))}
        </nav>
        <span class="spacer" />
        <ConnectionBadge />
        {caller.value !== "" && <span class="caller">{caller.value}</span>}
        {authRequired.value && (
          <button class="link" onClick={() => refuseToken("signed out")}>
            Sign out
          </button>
        )}
      </header>
      <main>
        <Page />
      </main>
    </div>
  );
}
