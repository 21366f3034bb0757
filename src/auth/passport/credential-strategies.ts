// The two ways a request carries a portcullis credential, as passport strategies
// (docs/authentication.md): `bearer` for `ptc_` tokens and `pts_` session secrets
// in Authorization, `session-cookie` for the `portcullis_session` cookie, which
// counts only when no Authorization header is sent. Both verify through the
// BearerAuthenticator (shape, checksum, hash lookup, expiry, revocation, source
// address, rate limits) and leave its full AuthResult on the request view, so a
// failure keeps its precise reason for the audit trail.
import { Strategy as CustomStrategy } from "passport-custom";
import { Strategy as HttpBearerStrategy } from "passport-http-bearer";
import type { Strategy } from "passport";
import type { AuthResult, BearerAuthenticator } from "../bearer-authenticator";

/**
 * What the credential strategies read: the two headers and the caller's
 * address, never a query string or a body (a token in a URL ends up in logs).
 */
export interface CredentialView {
  headers: { authorization?: string; cookie?: string };
  sourceIp: string | null;
  /** Set by the strategy that looked at a credential. */
  result?: AuthResult & { strategy: CredentialStrategyName };
}

export type CredentialStrategyName = "bearer" | "session-cookie";

type Done = (err: unknown, user?: Express.User | false) => void;

function settle(view: CredentialView, strategy: CredentialStrategyName, result: AuthResult, done: Done): void {
  view.result = { ...result, strategy };
  done(null, result.ok ? result.principal : false);
}

export function bearerStrategy(authenticator: BearerAuthenticator): Strategy {
  return new HttpBearerStrategy({ passReqToCallback: true }, (req: unknown, token: string, done: Done) => {
    const view = req as CredentialView;
    authenticator.authenticate(`Bearer ${token}`, view.sourceIp).then(
      (result) => settle(view, "bearer", result, done),
      (err: unknown) => done(err),
    );
  });
}

export function sessionCookieStrategy(
  authenticator: BearerAuthenticator,
  sessionCookieOf: (request: { headers: { cookie?: string } }) => string | null,
): Strategy {
  return new CustomStrategy((req, done) => {
    const view = req as unknown as CredentialView;
    const cookie = sessionCookieOf(view);
    // An Authorization header decides alone; no cookie is nothing to judge.
    if (view.headers.authorization !== undefined || cookie === null) return done(null, false);
    authenticator.authenticateRequest({ authorization: undefined, sessionCookie: cookie }, view.sourceIp).then(
      (result) => settle(view, "session-cookie", result, done),
      (err: unknown) => done(err),
    );
  });
}
