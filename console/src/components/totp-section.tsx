// TOTP enrolment: the otpauth:// URI as a QR code (drawn here, nothing fetched),
// confirmed with a first code; later codes step the session up to MFA.
import { useMutation } from "@urql/preact";
import qrcode from "qrcode-generator";
import { useMemo, useState } from "preact/hooks";
import { ErrorNote, StepUp } from "./error-note";
import { ENROLL_TOTP, VERIFY_TOTP, type Credential, type Me } from "../operations";

export function TotpSection(props: { me: Me; credential: Credential; refresh: () => void }) {
  const [enrolment, enroll] = useMutation(ENROLL_TOTP);
  const [verified, verify] = useMutation(VERIFY_TOTP);
  const [code, setCode] = useState("");
  const uri = enrolment.data?.enrollTotp.otpauthUri;
  const qr = useMemo(() => {
    if (!uri) return null;
    const q = qrcode(0, "M");
    q.addData(uri);
    q.make();
    return q.createDataURL(4, 8);
  }, [uri]);
  if (props.credential.kind === "TOKEN")
    return (
      <section aria-labelledby="totp-heading">
        <h2 id="totp-heading">Authenticator (TOTP)</h2>
        <p class="muted">Sign in with single sign-on to enrol an authenticator; a token never counts as MFA.</p>
      </section>
    );
  return (
    <section aria-labelledby="totp-heading">
      <h2 id="totp-heading">Authenticator (TOTP)</h2>
      <p>{props.me.mfaEnrolled ? "An authenticator is enrolled." : "No authenticator is enrolled."}</p>
      {props.me.mfaEnrolled && !props.credential.mfa && <StepUp onDone={props.refresh} />}
      {!uri && (
        <button type="button" onClick={() => void enroll({})}>
          {props.me.mfaEnrolled ? "Replace authenticator" : "Enrol an authenticator"}
        </button>
      )}
      <ErrorNote error={enrolment.error} onRetry={() => void enroll({})} />
      {uri && qr && (
        <div class="totp">
          <img src={qr} alt="QR code of the authenticator link" width={200} height={200} />
          <p class="muted">
            Or enter this link in your authenticator: <code>{uri}</code>
          </p>
          <form
            class="inline"
            onSubmit={(e) => {
              e.preventDefault();
              void verify({ code }).then((r) => {
                if (!r.error) props.refresh();
              });
            }}
          >
            <label>
              First code{" "}
              <input
                inputMode="numeric"
                autoComplete="one-time-code"
                value={code}
                onInput={(e) => setCode(e.currentTarget.value)}
              />
            </label>
            <button type="submit">Confirm</button>
          </form>
          <ErrorNote error={verified.error} />
        </div>
      )}
    </section>
  );
}
