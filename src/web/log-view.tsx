/**
 * A task's live output: FollowLogs from byte 0 with follow, one stream per
 * pane, decoded as UTF-8 across chunk borders. A large log cannot freeze
 * the page: the pane keeps only the last {@link KEPT_CHARS} characters, and
 * the DOM is updated at most once per animation frame, however fast the
 * chunks arrive. While scrolled to the bottom, the pane follows new output.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { LogStream } from "../../gen/hakuriver/v1/types_pb.js";
import { api, describeError, isAbort } from "./api.js";
import { formatBytes, taskStatusName } from "./format.js";

/** Characters of output a pane keeps (the newest). */
export const KEPT_CHARS = 200_000;

/** What one pane shows. */
interface LogState {
  readonly text: string;
  readonly totalBytes: number;
  readonly ended: string;
  readonly error: string;
}

function useFollowedLog(taskId: string, stream: LogStream): LogState {
  const [state, setState] = useState<LogState>({ text: "", totalBytes: 0, ended: "", error: "" });
  useEffect(() => {
    const controller = new AbortController();
    const decoder = new TextDecoder();
    let text = "";
    let totalBytes = 0;
    let frame = 0;
    const flush = () => {
      frame = 0;
      setState((previous) => ({ ...previous, text, totalBytes }));
    };
    void (async () => {
      try {
        for await (const response of api.followLogs({ taskId, stream, offset: 0n, follow: true }, { signal: controller.signal })) {
          if (response.event.case === "data") {
            totalBytes += response.event.value.data.length;
            text += decoder.decode(response.event.value.data, { stream: true });
            if (text.length > KEPT_CHARS) text = text.slice(text.length - KEPT_CHARS);
            frame ||= requestAnimationFrame(flush);
          } else if (response.event.case === "end") {
            const end = response.event.value;
            text += decoder.decode();
            cancelAnimationFrame(frame);
            flush();
            setState((previous) => ({ ...previous, ended: `${taskStatusName(end.status)}${end.exitCode === undefined ? "" : `, exit code ${end.exitCode}`}` }));
          }
        }
      } catch (caught) {
        if (!isAbort(caught)) setState((previous) => ({ ...previous, error: describeError(caught) }));
      }
    })();
    return () => {
      controller.abort();
      cancelAnimationFrame(frame);
    };
  }, [taskId, stream]);
  return state;
}

function LogPane(props: { readonly taskId: string; readonly stream: LogStream; readonly label: string }) {
  const state = useFollowedLog(props.taskId, props.stream);
  const pre = useRef<HTMLPreElement>(null);
  const atBottom = useRef(true);
  useEffect(() => {
    const element = pre.current;
    if (element && atBottom.current) element.scrollTop = element.scrollHeight;
  }, [state.text]);
  const name = props.label.toLowerCase();
  return (
    <div class="log-pane">
      <h3>
        {props.label} <span class="muted">{formatBytes(state.totalBytes)}</span>
        {state.totalBytes > KEPT_CHARS && <span class="muted"> (showing the last {formatBytes(KEPT_CHARS)})</span>}
        {state.ended !== "" ? <span class="muted"> — ended ({state.ended})</span> : <span class="muted"> — following</span>}
      </h3>
      <pre
        class="log"
        ref={pre}
        data-testid={`log-${name}`}
        onScroll={(event) => {
          const element = event.currentTarget;
          atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
        }}
      >
        {state.text}
      </pre>
      {state.error !== "" && <p class="field-error">{state.error}</p>}
    </div>
  );
}

/** Both output streams of a task, live. */
export function LogView(props: { readonly taskId: string }) {
  return (
    <div class="logs">
      <LogPane taskId={props.taskId} stream={LogStream.STDOUT} label="stdout" />
      <LogPane taskId={props.taskId} stream={LogStream.STDERR} label="stderr" />
    </div>
  );
}
