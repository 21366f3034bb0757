// The OpenID Connect relying party: discovery, the authorization code flow with
// PKCE (S256), state and nonce, and the device authorization grant for the CLI.
// openid-client does the protocol checks: the ID token's signature (against
// the IdP's JWKS, also for tokens from the token endpoint), issuer, audience,
// nonce and expiry, the state, and the code exchange with the PKCE verifier.
import * as client from "openid-client";
import type { OidcConfig } from "../../config";
import type { SsoIdentity } from "../../domain/sso/sso-login";
import { identityFromClaims, needsUserinfo, type Claims } from "./oidc-identity";
import { OidcFailure, OidcUnavailable } from "./oidc-failure";

/** What the callback needs to finish a login; kept by the browser, sealed. */
export interface LoginTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  /** Seconds between polls. */
  interval: number;
  /** Seconds until the device code expires. */
  expiresIn: number;
}

export type DevicePoll = { status: "pending" | "slow_down" } | { status: "approved"; identity: SsoIdentity };

const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
/** Seconds an IdP request may take before the login answers 503. */
const REQUEST_TIMEOUT = 10;

export class OidcRelyingParty {
  private configuration: Promise<client.Configuration> | null = null;

  constructor(
    private readonly config: OidcConfig,
    private readonly onDiscoveryFailure: (detail: string) => void = () => {},
  ) {}

  /**
   * The IdP's configuration, read once and kept; a failed read is retried on
   * the next call, so a login works again as soon as the IdP is back.
   */
  discover(): Promise<client.Configuration> {
    if (this.configuration === null) {
      this.configuration = this.load().catch((err: unknown) => {
        this.configuration = null;
        const detail = describe(err);
        this.onDiscoveryFailure(detail);
        throw new OidcUnavailable(detail);
      });
    }
    return this.configuration;
  }

  async beginLogin(returnTo: string): Promise<{ authorizationUrl: URL; transaction: LoginTransaction }> {
    const configuration = await this.discover();
    const transaction: LoginTransaction = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
      returnTo,
    };
    const authorizationUrl = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.config.redirectUri.href,
      scope: this.config.scopes.join(" "),
      code_challenge: await client.calculatePKCECodeChallenge(transaction.codeVerifier),
      code_challenge_method: "S256",
      state: transaction.state,
      nonce: transaction.nonce,
    });
    return { authorizationUrl, transaction };
  }

  /** `query`: the callback's query string as received. */
  async completeLogin(query: string, transaction: LoginTransaction): Promise<SsoIdentity> {
    const configuration = await this.discover();
    const currentUrl = new URL(this.config.redirectUri.href);
    currentUrl.search = query;
    const tokens = await this.call(() =>
      client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: transaction.codeVerifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      }),
    );
    return this.identityOf(configuration, tokens);
  }

  /** null when the IdP offers no device authorization endpoint. */
  async startDevice(): Promise<DeviceAuthorization | null> {
    const configuration = await this.discover();
    if (!configuration.serverMetadata().device_authorization_endpoint) return null;
    const response = await this.call(() =>
      client.initiateDeviceAuthorization(configuration, { scope: this.config.scopes.join(" ") }),
    );
    return {
      deviceCode: response.device_code,
      userCode: response.user_code,
      verificationUri: response.verification_uri,
      verificationUriComplete: response.verification_uri_complete ?? null,
      interval: response.interval ?? 5,
      expiresIn: response.expires_in,
    };
  }

  /** One poll of the token endpoint (the CLI decides when to poll again). */
  async pollDevice(deviceCode: string): Promise<DevicePoll> {
    const configuration = await this.discover();
    let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
    try {
      tokens = await this.call(() =>
        client.genericGrantRequest(configuration, DEVICE_CODE_GRANT, { device_code: deviceCode }),
      );
    } catch (err) {
      const code = err instanceof OidcFailure && err.reason === "idp_error" ? err.detail : null;
      if (code === "authorization_pending") return { status: "pending" };
      if (code === "slow_down") return { status: "slow_down" };
      if (code === "access_denied")
        throw new OidcFailure("device_denied", "the login was denied at the identity provider", code);
      if (code === "expired_token")
        throw new OidcFailure("device_expired", "the device code has expired; start again", code);
      throw err;
    }
    return { status: "approved", identity: await this.identityOf(configuration, tokens) };
  }

  private async identityOf(
    configuration: client.Configuration,
    tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  ): Promise<SsoIdentity> {
    const idClaims = tokens.claims() as Claims | undefined;
    if (!idClaims)
      throw new OidcFailure(
        "token_invalid",
        "the identity provider's response could not be verified",
        "no ID token in the token response",
      );
    const settings = {
      providerName: this.config.providerName,
      groupsClaim: this.config.groupsClaim,
      mfaAmr: this.config.mfaAmr,
    };
    let userinfo: Claims | null = null;
    if (needsUserinfo(idClaims, settings) && configuration.serverMetadata().userinfo_endpoint) {
      // fetchUserInfo refuses a response about another subject than the ID token's.
      userinfo = await this.call(() => client.fetchUserInfo(configuration, tokens.access_token, String(idClaims.sub)));
    }
    return identityFromClaims(idClaims, userinfo, settings);
  }

  private async load(): Promise<client.Configuration> {
    const insecure = this.config.issuer.protocol === "http:";
    const options: client.DiscoveryRequestOptions = {
      timeout: REQUEST_TIMEOUT,
      ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
    };
    const secret = this.config.clientSecret;
    const found = await client.discovery(
      this.config.issuer,
      this.config.clientId,
      secret,
      client.ClientSecretBasic(secret),
      options,
    );
    // client_secret_basic is the default of the spec; an IdP that only takes the secret in the body gets it there.
    const methods = found.serverMetadata().token_endpoint_auth_methods_supported;
    const configuration =
      methods && !methods.includes("client_secret_basic") && methods.includes("client_secret_post")
        ? new client.Configuration(
            found.serverMetadata(),
            this.config.clientId,
            secret,
            client.ClientSecretPost(secret),
          )
        : found;
    configuration.timeout = REQUEST_TIMEOUT;
    if (insecure) client.allowInsecureRequests(configuration);
    // Verify ID token signatures even over the direct token endpoint channel.
    client.enableNonRepudiationChecks(configuration);
    return configuration;
  }

  /** Runs an IdP request, turning the library's errors into refusals or unavailability. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw classify(err);
    }
  }
}

function classify(err: unknown): Error {
  if (err instanceof OidcFailure || err instanceof OidcUnavailable) return err;
  if (err instanceof client.AuthorizationResponseError || err instanceof client.ResponseBodyError) {
    // The IdP said no (access_denied at the authorization endpoint, invalid_grant for a used code…).
    return new OidcFailure("idp_error", "the identity provider refused the login", err.error);
  }
  if (err instanceof client.ClientError) {
    return new OidcFailure("token_invalid", "the identity provider's response could not be verified", describe(err));
  }
  // fetch failures and timeouts: the IdP did not answer.
  if (err instanceof TypeError || (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")))
    return new OidcUnavailable(describe(err));
  return new OidcFailure("token_invalid", "the identity provider's response could not be verified", describe(err));
}

/** The error's code and message and those of its cause: library text only, never tokens or claim values. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err).slice(0, 300);
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${typeof code === "string" ? `${code} ` : ""}${err.message}${cause}`.slice(0, 300);
}
