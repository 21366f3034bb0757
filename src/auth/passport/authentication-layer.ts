// One authentication layer: a passport instance (stateless, `session: false`;
// portcullis keeps its own session cookie and `pts_` sessions) holding one
// strategy per way in. /graphql, /audit/export, /scim/v2, /auth/logout and the
// WebSocket handshake call `authenticate` with the strategies they accept;
// the login routes (SAML, OIDC, LDAP, and any strategy a deployment adds) run
// theirs through `passport` directly.
import { Authenticator } from "passport";
import type { Strategy } from "passport";
import type { AuthResult, BearerAuthenticator } from "../bearer-authenticator";
import {
  bearerStrategy,
  sessionCookieStrategy,
  type CredentialStrategyName,
  type CredentialView,
} from "./credential-strategies";

export type AuthenticatedResult = AuthResult & { strategy: CredentialStrategyName };

/** What a request brings: its Authorization header and, where a cookie may count, its Cookie header. */
export interface CredentialHeaders {
  authorization: string | undefined;
  cookie: string | undefined;
}

export class AuthenticationLayer {
  readonly passport = new Authenticator();

  constructor(
    private readonly authenticator: BearerAuthenticator,
    sessionCookieOf: (request: { headers: { cookie?: string } }) => string | null,
  ) {
    this.passport.use("bearer", bearerStrategy(authenticator));
    this.passport.use("session-cookie", sessionCookieStrategy(authenticator, sessionCookieOf));
  }

  /** Adds a login strategy (SAML, OIDC, LDAP, or one a deployment brings) under its name. */
  use(name: string, strategy: { authenticate: (...args: never[]) => unknown }): void {
    // Strategies are typed against whichever copy of @types/express their package brings; passport calls them alike.
    this.passport.use(name, strategy as unknown as Strategy);
  }

  /**
   * Runs the credential strategies in order, the first that accepts wins. A
   * request the strategies could not even read (no credential, or an
   * Authorization header of another shape) is judged by the authenticator's
   * own parser, so its failure is `missing` or `malformed` and counted by
   * the same limits.
   */
  async authenticate(
    headers: CredentialHeaders,
    sourceIp: string | null,
    strategies: readonly CredentialStrategyName[],
  ): Promise<AuthenticatedResult> {
    const view: CredentialView = {
      headers: {
        ...(headers.authorization !== undefined ? { authorization: headers.authorization } : {}),
        ...(headers.cookie !== undefined ? { cookie: headers.cookie } : {}),
      },
      sourceIp,
    };
    await new Promise<void>((resolve, reject) => {
      const middleware = this.passport.authenticate([...strategies], { session: false }, (err: unknown) =>
        err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
      ) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
      middleware(view, {}, (err?: unknown) => reject(err instanceof Error ? err : new Error(String(err))));
    });
    if (view.result !== undefined) return view.result;
    return { ...(await this.authenticator.authenticate(headers.authorization, sourceIp)), strategy: "bearer" };
  }
}
