// The one place a one-time code from an authenticator app is typed: the field
// (numeric keyboard, the browser's one-time-code autofill, six digits) and the
// verifyTotp call it is for. Confirming an enrolment and stepping a session up to
// MFA (after an MFA_REQUIRED answer, or from My access) both use it.
import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { VERIFY_TOTP } from "../operations";

export function CodeInput(props: {
  /** The field's label ("First code", "Authenticator code"). */
  label: string;
  /** The submit button's text. */
  submit: string;
  /** Called once the server has accepted a code. */
  onVerified?: () => void;
}) {
  const [code, setCode] = useState("");
  const [state, verify] = useMutation(VERIFY_TOTP);
  const problem = state.error ? (state.error.graphQLErrors[0]?.message ?? state.error.message) : null;
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        void verify({ code: code.trim() }).then((r) => {
          if (r.error) return;
          setCode("");
          props.onVerified?.();
        });
      }}
    >
      <label>
        {props.label}{" "}
        <input
          name="one-time-code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          title="the 6 digits your authenticator app shows"
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
      </label>
      <button type="submit" disabled={state.fetching}>
        {props.submit}
      </button>
      {problem && (
        <span class="error-text" role="alert">
          {problem}
        </span>
      )}
    </form>
  );
}
