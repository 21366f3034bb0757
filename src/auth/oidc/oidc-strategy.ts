// The `oidc` passport strategy: openid-client's own (openid-client/passport),
// the authorization code flow with PKCE (S256), always with state and nonce.
// The strategy keeps its per-login state in `req.session`; portcullis has no
// server-side session for a login in progress, so the request the strategy
// sees is a view whose `session` the routes fill from (and save into) the
// sealed transaction cookie.
import * as client from "openid-client";
import { Strategy, type AuthenticateOptions } from "openid-client/passport";
import type { Request } from "express";
import type { SsoIdentity } from "../../domain/sso/sso-login";

const SESSION_KEY = "oidc";

/** What the strategy keeps between the redirect and the callback. */
interface StrategyState {
  code_verifier: string;
  nonce?: string;
  state?: string;
}

/** The request the strategy sees: GET at `url` (the callback URL and its query), and the login's state. */
export interface OidcRequestView {
  method: "GET";
  url: string;
  headers: Record<string, string | undefined>;
  session: { [SESSION_KEY]?: StrategyState };
}

/** A login in progress, as the browser keeps it (sealed). */
export interface LoginTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

class CodeFlowStrategy extends Strategy {
  /** Always state and nonce, even when the IdP supports PKCE (the library would then send neither). */
  override authorizationRequestParams<T extends AuthenticateOptions>(req: Request, options: T): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(req, options));
    params.set("state", client.randomState());
    params.set("nonce", client.randomNonce());
    return params;
  }

  /** The callback URL as the IdP redirected to it (the view's, not rebuilt from Host headers). */
  override currentUrl(req: Request): URL {
    return new URL((req as unknown as OidcRequestView).url);
  }
}

export function oidcStrategy(
  configuration: client.Configuration,
  settings: { redirectUri: URL; scopes: string[] },
  verify: (tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers) => Promise<SsoIdentity>,
): Strategy {
  return new CodeFlowStrategy(
    {
      config: configuration,
      name: "oidc",
      sessionKey: SESSION_KEY,
      callbackURL: settings.redirectUri,
      scope: settings.scopes.join(" "),
    },
    (tokens, verified) => {
      verify(tokens).then(
        (identity) => {
          verified(null, identity);
        },
        (err: unknown) => {
          verified(err);
        },
      );
    },
  );
}

/** A view for starting a login: the strategy writes its state into `session`. */
export function loginView(redirectUri: URL): OidcRequestView {
  return { method: "GET", url: redirectUri.href, headers: {}, session: {} };
}

/** The transaction to seal once the strategy has redirected; null if it kept no state. */
export function transactionOf(view: OidcRequestView, returnTo: string): LoginTransaction | null {
  const state = view.session[SESSION_KEY];
  if (!state?.state || !state.nonce) return null;
  return { state: state.state, nonce: state.nonce, codeVerifier: state.code_verifier, returnTo };
}

/** A view for the callback: its query as received, the transaction's state handed back to the strategy. */
export function callbackView(redirectUri: URL, query: string, transaction: LoginTransaction): OidcRequestView {
  const url = new URL(redirectUri.href);
  url.search = query;
  return {
    method: "GET",
    url: url.href,
    headers: {},
    session: {
      [SESSION_KEY]: { code_verifier: transaction.codeVerifier, nonce: transaction.nonce, state: transaction.state },
    },
  };
}
