/**
 * A terminal into a running environment container, or into a running task
 * or VPS: xterm.js (with its fit addon, so the grid follows the panel's
 * size) over the shell (or exec) WebSocket of shell-socket.ts. Keys go to the container as typed; a new size is sent as
 * a resize; when the shell exits its exit code is shown, the session is
 * closed and the terminal stops taking input (its output stays readable).
 */
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import { useEffect, useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { openShell, openTaskTerminal, type ShellEvents, type ShellSession, type TerminalSize } from "./shell-socket.js";

/** Where a terminal's session is. */
type ShellState = { readonly kind: "connecting" } | { readonly kind: "open" } | { readonly kind: "exited"; readonly code: number } | { readonly kind: "failed"; readonly message: string };

/** A shell in environment container `name`; `onClose` removes the panel. */
export function ContainerTerminal(props: { readonly name: string; readonly onClose: () => void }) {
  return <TerminalPanel id={`shell:${props.name}`} title={<>Shell in <code>{props.name}</code></>} open={(size, events) => openShell(props.name, size, events)} onClose={props.onClose} />;
}

/** A login shell in running task or VPS `taskId` (through exec); `onClose` removes the panel. */
export function TaskTerminal(props: { readonly taskId: string; readonly vps: boolean; readonly onClose: () => void }) {
  const what = props.vps ? "VPS" : "task";
  return <TerminalPanel id={`exec:${props.taskId}`} title={<>Terminal in {what} <code>{props.taskId}</code></>} open={(size, events) => openTaskTerminal(props.taskId, props.vps, size, events)} onClose={props.onClose} />;
}

/** The panel both terminals share; `id` names the session (a new one reconnects). */
function TerminalPanel(props: { readonly id: string; readonly title: ComponentChildren; readonly open: (size: TerminalSize, events: ShellEvents) => ShellSession; readonly onClose: () => void }) {
  const host = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<ShellState>({ kind: "connecting" });

  useEffect(() => {
    const element = host.current;
    if (!element) return undefined;
    const terminal = new Terminal({ cursorBlink: true, fontSize: 13, scrollback: 5000, convertEol: false, theme: { background: "#0b1020" } });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(element);
    fit.fit();
    let opened = false;
    const session = props.open(
      { rows: terminal.rows, cols: terminal.cols },
      {
        onOutput: (data) => {
          if (!opened) {
            opened = true;
            setState({ kind: "open" });
          }
          terminal.write(data);
        },
        onExit: (code) => {
          session.close();
          terminal.options.disableStdin = true;
          terminal.options.cursorBlink = false;
          setState({ kind: "exited", code });
        },
        onError: (code, message) => {
          terminal.options.disableStdin = true;
          setState({ kind: "failed", message: code === "closed" ? message : `${code.replace(/_/g, " ")}: ${message}` });
        },
      },
    );
    const typed = terminal.onData((data) => session.send(data));
    const resized = terminal.onResize(({ rows, cols }) => session.resize(rows, cols));
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(element);
    terminal.focus();
    return () => {
      observer.disconnect();
      typed.dispose();
      resized.dispose();
      session.close();
      terminal.dispose();
    };
  }, [props.id]);

  return (
    <div class="panel terminal-panel" data-testid="terminal">
      <div class="terminal-bar">
        <strong>{props.title}</strong>
        <span class={`terminal-state terminal-${state.kind}`} data-testid="terminal-state" role="status">
          {state.kind === "connecting" && "connecting…"}
          {state.kind === "open" && "connected"}
          {state.kind === "exited" && `exited with code ${state.code}`}
          {state.kind === "failed" && state.message}
        </span>
        <span class="spacer" />
        <button onClick={props.onClose}>{state.kind === "exited" || state.kind === "failed" ? "Close" : "Disconnect"}</button>
      </div>
      <div class="terminal-screen" ref={host} />
    </div>
  );
}
