// TOTP enrolment: the otpauth:// URI as a QR code (drawn here, nothing fetched),
// confirmed with a first code; later codes step the session up to MFA.
import { useMutation } from "@urql/preact";
import qrcode from "qrcode-generator";
import { useMemo } from "preact/hooks";
import { CodeInput } from "./code-input";
import { ErrorNote, StepUp } from "./error-note";
import { ENROLL_TOTP, type Credential, type Me } from "../operations";

export function TotpSection(props: { me: Me; credential: Credential; refresh: () => void }) {
  const [enrolment, enroll] = useMutation(ENROLL_TOTP);
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
          <CodeInput label="First code" submit="Confirm" onVerified={props.refresh} />
        </div>
      )}
    </section>
  );
}
