/**
 * Text to copy (a command, a config block) with a Copy button. The
 * Clipboard API needs a secure context (https or localhost); elsewhere the
 * text is selected instead, so Ctrl+C still takes it.
 */
import { useRef, useState } from "preact/hooks";

/** `text` in a code block with a Copy button; `testId` names the block for tests. */
export function CopyText(props: { readonly text: string; readonly testId: string; readonly block?: boolean }) {
  const [note, setNote] = useState("");
  const block = useRef<HTMLPreElement>(null);
  const line = useRef<HTMLElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setNote("copied");
    } catch {
      const element = block.current ?? line.current;
      if (element) getSelection()?.selectAllChildren(element);
      setNote("selected: press Ctrl+C");
    }
    setTimeout(() => setNote(""), 2500);
  };
  return (
    <div class={`copy${props.block ? " copy-block" : ""}`}>
      {props.block ? (
        <pre class="copy-text" data-testid={props.testId} ref={block}>
          {props.text}
        </pre>
      ) : (
        <code class="copy-text" data-testid={props.testId} ref={line}>
          {props.text}
        </code>
      )}
      <button onClick={() => void copy()} aria-label={`Copy ${props.text.split("\n")[0]}`}>
        Copy
      </button>
      {note !== "" && <span class="muted copy-note">{note}</span>}
    </div>
  );
}
