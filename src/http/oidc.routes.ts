// /auth/oidc: browser login (authorization code flow with PKCE) and the device
// flow for the CLI (docs/sso.md). Mounted only when OIDC is configured.
//
// The login transaction (state, nonce, PKCE verifier, returnTo) travels in a
// sealed, HTTP-only, SameSite=Lax cookie scoped to /auth/oidc that lives ten
// minutes; the callback clears it and claims its state, so it is used once.
// Device-flow handles are the IdP's device code sealed the same way: the CLI
// never sees the device code, and a handle works only on a portcullis that
// holds the key. Every refusal is audited as a failed authentication.
import express, { Router, type Request, type Response } from "express";
import { createHash } from "node:crypto";
import { classify, type OidcRelyingParty } from "../auth/oidc/oidc-relying-party";
import { callbackView, loginView, transactionOf, type LoginTransaction } from "../auth/oidc/oidc-strategy";
import type { AuthenticationLayer } from "../auth/passport/authentication-layer";
import { OidcFailure, OidcUnavailable, type OidcFailureReason } from "../auth/oidc/oidc-failure";
import type { SealedBox } from "../auth/oidc/sealed-box";
import { DomainError } from "../domain/errors";
import type { SsoIdentity, SsoLoginResult } from "../domain/sso/sso-login";
import type { Services } from "../app-services";
import type { ClientAddress } from "./client-address";
import type { Logger } from "./logger";
import { setSessionCookie } from "./session-cookie";
import { parseReturnTo, returnPathOrRoot } from "./return-to";
import { sendError } from "./error-response";
import { auditAuthenticationFailure } from "./authentication-audit";

export const TRANSACTION_COOKIE = "portcullis_oidc";
const TRANSACTION_PURPOSE = "oidc-login";
const DEVICE_PURPOSE = "oidc-device";
const TRANSACTION_TTL_MS = 10 * 60_000;

export interface OidcRoutesOptions {
  relyingParty: OidcRelyingParty;
  /** The authentication layer the `oidc` strategy runs in. */
  authentication: AuthenticationLayer;
  /** OIDC_REDIRECT_URI: the callback URL the IdP redirects to. */
  redirectUri: URL;
  sealer: SealedBox;
  /** `services.ssoLogin` provisions the user and issues the session. */
  services: Services;
  clientAddress: ClientAddress;
  logger: Logger;
  /** Cookies are Secure unless the server runs in development. */
  secureCookies: boolean;
}

interface DeviceHandle {
  deviceCode: string;
  /** ms since the epoch: when the IdP forgets the device code. */
  expiresAt: number;
}

export function oidcRoutes(options: OidcRoutesOptions): Router {
  const { relyingParty, sealer, services, clientAddress, logger, secureCookies, authentication, redirectUri } = options;
  // A login's state and a device handle are each good once, across every instance: registered when the
  // login starts, taken when it completes (the shared one-time store: the database, or Redis).
  const once = services.oneTimeStore;
  const stateKey = (state: string) => `oidc:state:${createHash("sha256").update(state).digest("hex")}`;
  const deviceKey = (handleHash: string) => `oidc:device:${handleHash}`;
  const polling = new Set<string>();
  const router = Router();

  const refuse = async (req: Request, res: Response, err: unknown, flow: "code" | "device"): Promise<void> => {
    const requestId = String(res.locals.requestId);
    // A locked or deprovisioned user: SsoLogin has audited its refused login; the failed authentication is audited too.
    if (err instanceof DomainError && err.code === "FORBIDDEN")
      err = new OidcFailure("user_locked", "this user may not log in", err.details.reason ?? null);
    // An account that may not be linked by email, or the last superuser's role: SsoLogin has audited why.
    if (err instanceof DomainError && err.code === "UNAUTHENTICATED") {
      err = new OidcFailure(
        err.details.reason === "LAST_SUPERUSER" ? "last_superuser" : "link_refused",
        err.message,
        err.details.reason ?? null,
      );
    }
    if (!(err instanceof OidcFailure) && !(err instanceof OidcUnavailable)) throw err;
    const reason: OidcFailureReason | "idp_unavailable" = err instanceof OidcFailure ? err.reason : "idp_unavailable";
    await auditAuthenticationFailure(
      services,
      { strategy: "oidc", failure: reason, details: { method: "oidc", flow, detail: err.detail } },
      clientAddress(req),
      requestId,
    );
    if (err instanceof OidcUnavailable) {
      logger.warn("OIDC identity provider request failed", { requestId, detail: err.detail });
      return sendError(res, 503, "SERVICE_UNAVAILABLE", err.message);
    }
    sendError(res, 401, "UNAUTHENTICATED", `login refused: ${err.message}`);
  };

  const login = async (identity: SsoIdentity, req: Request, res: Response): Promise<SsoLoginResult> => {
    try {
      return await services.ssoLogin.login(identity, {
        sourceIp: clientAddress(req),
        requestId: String(res.locals.requestId),
      });
    } catch (err) {
      // Claims the IdP signed but portcullis cannot take (an over-long name, too many groups): a refused login, not a crash.
      if (err instanceof DomainError && err.code === "BAD_USER_INPUT")
        throw new OidcFailure(
          "claims_invalid",
          "the identity provider sent claims portcullis cannot accept",
          err.message,
        );
      throw err;
    }
  };

  /** Runs the `oidc` strategy on the callback; the identity, or the refusal it ended with. */
  const completeLogin = async (query: string, transaction: LoginTransaction): Promise<SsoIdentity> => {
    let outcome;
    try {
      outcome = await authentication.run(await relyingParty.strategy(), callbackView(redirectUri, query, transaction));
    } catch (err) {
      throw classify(err);
    }
    if (outcome.kind === "success") return outcome.user as SsoIdentity;
    // The strategy fails (rather than errs) only on the IdP's access_denied or a missing login state.
    const info = (outcome.kind === "fail" ? outcome.info : null) as { error?: string; message?: string } | null;
    if (info?.error) throw new OidcFailure("idp_error", "the identity provider refused the login", info.error);
    throw new OidcFailure("no_transaction", "no login in progress in this browser (or it has expired); start again");
  };

  router.get("/login", async (req, res) => {
    noStore(res);
    const returnTo = parseReturnTo(req.query.returnTo);
    if (!returnTo.ok)
      return sendError(res, 400, "BAD_USER_INPUT", `returnTo: ${returnTo.message}`, { field: "returnTo" });
    let started;
    const view = loginView(redirectUri);
    try {
      started = await authentication.run(await relyingParty.strategy(), view);
    } catch (err) {
      if (err instanceof OidcUnavailable) return sendError(res, 503, "SERVICE_UNAVAILABLE", err.message);
      throw classify(err);
    }
    const transaction = started.kind === "redirect" ? transactionOf(view, returnTo.path) : null;
    if (started.kind !== "redirect" || transaction === null)
      throw new Error("the OIDC strategy did not start a login with state and nonce");
    const expires = new Date(Date.now() + TRANSACTION_TTL_MS);
    await once.put(stateKey(transaction.state), "1", expires);
    res.cookie(TRANSACTION_COOKIE, sealer.seal(TRANSACTION_PURPOSE, transaction, expires), {
      httpOnly: true,
      secure: secureCookies,
      sameSite: "lax",
      path: "/auth/oidc",
      expires,
    });
    res.redirect(302, started.location);
  });

  router.get("/callback", async (req, res) => {
    noStore(res);
    res.clearCookie(TRANSACTION_COOKIE, { httpOnly: true, secure: secureCookies, sameSite: "lax", path: "/auth/oidc" });
    try {
      const sealed = cookieOf(req, TRANSACTION_COOKIE);
      const transaction = sealed === null ? null : sealer.open<LoginTransaction>(TRANSACTION_PURPOSE, sealed);
      if (transaction === null)
        throw new OidcFailure(
          "no_transaction",
          "no login in progress in this browser (or it has expired); start again",
        );
      if (req.query.state !== transaction.state)
        throw new OidcFailure("state_mismatch", "the response does not belong to the login started in this browser");
      if ((await once.take(stateKey(transaction.state))) === null) {
        throw new OidcFailure("replayed", "this login response has already been used");
      }
      const query = req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?")) : "";
      const identity = await completeLogin(query, transaction);
      const session = await login(identity, req, res);
      setSessionCookie(res, session.sessionSecret, session.expiresAt, { secure: secureCookies });
      res.redirect(303, returnPathOrRoot(transaction.returnTo));
    } catch (err) {
      await refuse(req, res, err, "code");
    }
  });

  router.post("/device", async (_req, res) => {
    noStore(res);
    let device;
    try {
      device = await relyingParty.startDevice();
    } catch (err) {
      if (err instanceof OidcUnavailable) return sendError(res, 503, "SERVICE_UNAVAILABLE", err.message);
      if (err instanceof OidcFailure)
        return sendError(res, 502, "BAD_GATEWAY", "the identity provider refused to start a device login");
      throw err;
    }
    if (device === null)
      return sendError(
        res,
        501,
        "NOT_IMPLEMENTED",
        "the identity provider offers no device authorization endpoint; log in with a browser",
      );
    const expiresAt = new Date(Date.now() + device.expiresIn * 1000);
    const handle = sealer.seal(
      DEVICE_PURPOSE,
      { deviceCode: device.deviceCode, expiresAt: expiresAt.getTime() } satisfies DeviceHandle,
      expiresAt,
    );
    await once.put(deviceKey(createHash("sha256").update(handle).digest("hex")), "1", expiresAt);
    res.json({
      userCode: device.userCode,
      verificationUri: device.verificationUri,
      verificationUriComplete: device.verificationUriComplete,
      handle,
      interval: device.interval,
      expiresIn: device.expiresIn,
    });
  });

  router.post("/device/token", express.json({ limit: "16kb" }), async (req, res) => {
    noStore(res);
    const raw = (req.body as { handle?: unknown } | undefined)?.handle;
    if (typeof raw !== "string" || raw === "")
      return sendError(res, 400, "BAD_USER_INPUT", "handle: the handle from POST /auth/oidc/device is required", {
        field: "handle",
      });
    const key = createHash("sha256").update(raw).digest("hex");
    // One poll at a time per handle: a second one meanwhile is told to slow down.
    if (polling.has(key)) return void res.json({ status: "slow_down" });
    polling.add(key);
    try {
      const handle = sealer.open<DeviceHandle>(DEVICE_PURPOSE, raw);
      if (handle === null)
        throw new OidcFailure("device_unknown", "this device login is unknown or has expired; start again");
      const poll = await relyingParty.pollDevice(handle.deviceCode);
      if (poll.status !== "approved") return void res.json({ status: poll.status });
      // The session secret is handed out once per handle.
      if ((await once.take(deviceKey(key))) === null)
        throw new OidcFailure("replayed", "this device login has already been completed");
      const session = await login(poll.identity, req, res);
      res.json({
        status: "approved",
        sessionSecret: session.sessionSecret,
        expiresAt: session.expiresAt.toISOString(),
      });
    } catch (err) {
      await refuse(req, res, err, "device");
    } finally {
      polling.delete(key);
    }
  });

  return router;
}

function noStore(res: Response): void {
  res.setHeader("cache-control", "no-store");
}

function cookieOf(req: Request, name: string): string | null {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq >= 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}
