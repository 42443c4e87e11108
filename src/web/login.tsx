/**
 * The token form: shown when the Host requires a credential and the tab
 * has none, or when the Host refused the one it had.
 */
import { useState } from "preact/hooks";
import { refusal, keepToken } from "./session.js";

/** Asks for a token once; it is kept for this tab's session. */
export function Login(props: { readonly onSignedIn: () => void }) {
  const [value, setValue] = useState("");
  return (
    <form
      class="login"
      onSubmit={(event) => {
        event.preventDefault();
        keepToken(value);
        props.onSignedIn();
      }}
    >
      <h1>HakuRiver</h1>
      <p>This Host requires a token. Paste yours (from <code>hakuriver token create</code>, or <code>admin.token</code> beside the Host's database).</p>
      <label>
        Token
        <input name="token" type="password" autocomplete="current-password" value={value} onInput={(event) => setValue(event.currentTarget.value)} required />
      </label>
      {refusal.value !== "" && (
        <p class="field-error" role="alert">
          The Host refused the token: {refusal.value}
        </p>
      )}
      <button type="submit">Sign in</button>
    </form>
  );
}
