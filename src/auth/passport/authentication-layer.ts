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

/** How one run of a login strategy ended. */
export type StrategyOutcome =
  | { kind: "success"; user: unknown }
  | { kind: "fail"; info: unknown; status: number | undefined }
  | { kind: "redirect"; location: string };

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
   * Runs one login strategy (by name, or an instance built for this request)
   * on `view`, the request as the strategy should see it. Resolves with how it
   * ended, a redirect included (the caller answers it, e.g. with a cookie
   * set); rejects with what the strategy failed with.
   */
  run(strategy: string | { authenticate: (...args: never[]) => unknown }, view: object): Promise<StrategyOutcome> {
    return new Promise((resolve, reject) => {
      const fail = (err: unknown) => reject(asError(err));
      let location = "";
      // What passport's redirect() writes to: only the Location is kept.
      const redirectOnly = {
        statusCode: 0,
        setHeader: (name: string, value: string) => {
          if (name.toLowerCase() === "location") location = value;
        },
        end: () => resolve({ kind: "redirect", location }),
      };
      const target = typeof strategy === "string" ? strategy : (strategy as unknown as Strategy);
      const middleware = this.passport.authenticate(
        target,
        { session: false },
        (err: unknown, user: unknown, info: unknown, status: unknown) => {
          if (err) return fail(err);
          resolve(
            user
              ? { kind: "success", user }
              : { kind: "fail", info, status: typeof status === "number" ? status : undefined },
          );
        },
      ) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
      middleware(view, redirectOnly, fail);
    });
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
        err ? reject(asError(err)) : resolve(),
      ) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
      middleware(view, {}, (err?: unknown) => reject(asError(err)));
    });
    if (view.result !== undefined) return view.result;
    return { ...(await this.authenticator.authenticate(headers.authorization, sourceIp)), strategy: "bearer" };
  }
}

/** What a strategy failed with, as an Error (strategies may pass anything to `error`). */
function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === "string" ? err : JSON.stringify(err));
}
