// TOTP enrolment and step-up (docs/concepts.md: "a local TOTP step-up"). RFC 6238
// codes (SHA-1, 6 digits, 30 s) through otplib, a window of one step either
// way. A code is good once (the last accepted time step is kept, and accepting
// one is a single conditional update), and wrong codes are throttled: the
// MAX_FAILURES-th in a row blocks verification for BLOCK_SECONDS.
//
// The first accepted code only confirms enrolment: the seed was set up from a
// session without a second factor, so proving possession of it right away
// proves nothing more than that session already did. Every later accepted code
// marks the caller's session MFA-verified for the configured window. Replacing
// a confirmed seed needs a session that has MFA, so a stolen session cannot
// swap the user's authenticator for its own.
import { generateSecret, generateURI, verify } from "otplib";
import { actorFields } from "../audit/audit-actor";
import type { AuditLog } from "../audit/group-commit-audit-log";
import type { SecretBox } from "../credentials/secret-box";
import { badInput, DomainError } from "../errors";
import type { PolicyRuntime } from "../policy/policy-runtime";
import type { Storage, TotpState } from "../ports/storage.port";
import type { Principal } from "../principal";
import type { SessionService } from "../sessions/session-service";

export const TOTP_ISSUER = "portcullis";
const PERIOD_SECONDS = 30;
export const MAX_FAILURES = 5;
export const BLOCK_SECONDS = 300;

export interface TotpDeps {
  storage: Storage;
  runtime: PolicyRuntime;
  audit: AuditLog;
  sessions: SessionService;
  /** null when PORTCULLIS_ENCRYPTION_KEY is not set: seeds are never stored in clear, so enrolment is refused. */
  box: SecretBox | null;
  stepUpTtlSeconds: number;
  /** Called after the user's TOTP state changes (the credential cache caches users). */
  onChanged: () => void;
  now?: () => Date;
}

export interface TotpVerification {
  /** Until when the session counts as MFA; null when this code only confirmed enrolment. */
  verifiedUntil: Date | null;
  /** Whether this code confirmed a new enrolment. */
  confirmed: boolean;
}

type Failure = "wrong_code" | "replayed" | "throttled";

export class TotpService {
  private readonly now: () => Date;

  constructor(private readonly deps: TotpDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** A new seed for the caller, returned once as an otpauth:// URI; only its sealed form is stored. */
  async enroll(principal: Principal, requestId: string): Promise<{ otpauthUri: string }> {
    requireSession(principal, "enrollTotp");
    const box = this.box();
    const state = await this.state(principal);
    if (state.confirmed && !principal.mfa) {
      throw new DomainError(
        "MFA_REQUIRED",
        "TOTP is already set up: step up with verifyTotp first, then enrol a new authenticator",
        { reason: "MFA_REQUIRED" },
      );
    }
    const seed = generateSecret();
    await this.deps.storage.totp.enroll(principal.user.id, box.seal(seed, principal.user.id));
    this.deps.onChanged();
    await this.record(principal, "enrollTotp", true, requestId, { replaced: state.sealedSecret !== null });
    return { otpauthUri: generateURI({ issuer: TOTP_ISSUER, label: principal.user.email, secret: seed }) };
  }

  async verify(principal: Principal, code: string, requestId: string): Promise<TotpVerification> {
    requireSession(principal, "verifyTotp");
    if (!/^[0-9]{6}$/.test(code)) throw badInput("code", "must be the 6 digits your authenticator app shows");
    const box = this.box();
    const state = await this.state(principal);
    if (state.sealedSecret === null)
      throw new DomainError("CONFLICT", "no authenticator is set up: call enrollTotp first", { field: "code" });
    const now = this.now();
    if (state.blockedUntil !== null && now < state.blockedUntil) {
      await this.record(principal, "verifyTotp", false, requestId, { failure: "throttled" satisfies Failure });
      throw new DomainError("FORBIDDEN", `too many wrong codes: try again after ${state.blockedUntil.toISOString()}`);
    }
    const seed = box.open(state.sealedSecret, principal.user.id);
    const result = await verify({
      secret: seed,
      token: code,
      epoch: Math.floor(now.getTime() / 1000),
      epochTolerance: PERIOD_SECONDS,
    });
    if (!result.valid || !("timeStep" in result))
      throw await this.fail(principal, "wrong_code", requestId, "wrong code");
    if (!(await this.deps.storage.totp.acceptStep(principal.user.id, result.timeStep))) {
      throw await this.fail(principal, "replayed", requestId, "this code was used already: wait for the next one");
    }
    const confirmed = !state.confirmed;
    const verifiedUntil = confirmed ? null : new Date(now.getTime() + this.deps.stepUpTtlSeconds * 1000);
    if (verifiedUntil !== null) await this.deps.sessions.markVerified(principal, verifiedUntil);
    this.deps.onChanged();
    await this.record(principal, "verifyTotp", true, requestId, {
      confirmed,
      verifiedUntil: verifiedUntil?.toISOString() ?? null,
    });
    return { verifiedUntil, confirmed };
  }

  private box(): SecretBox {
    if (this.deps.box === null) {
      throw new DomainError(
        "FORBIDDEN",
        "TOTP is not available: the server has no PORTCULLIS_ENCRYPTION_KEY to keep seeds encrypted",
      );
    }
    return this.deps.box;
  }

  private async state(principal: Principal): Promise<TotpState> {
    const state = await this.deps.storage.totp.get(principal.user.id);
    if (state === null) throw new DomainError("UNAUTHENTICATED", "the caller no longer exists");
    return state;
  }

  /** Counts and audits a refused code; returns the error to throw. */
  private async fail(principal: Principal, failure: Failure, requestId: string, message: string): Promise<DomainError> {
    const after = await this.deps.storage.totp.recordFailure(
      principal.user.id,
      MAX_FAILURES,
      new Date(this.now().getTime() + BLOCK_SECONDS * 1000),
    );
    await this.record(principal, "verifyTotp", false, requestId, {
      failure,
      blockedUntil: after.blockedUntil?.toISOString() ?? null,
    });
    const blocked =
      after.blockedUntil !== null
        ? `; too many wrong codes, so none is accepted before ${after.blockedUntil.toISOString()}`
        : "";
    return badInput("code", message + blocked);
  }

  private async record(
    principal: Principal,
    operation: string,
    allowed: boolean,
    requestId: string,
    metadata: Record<string, unknown>,
  ): Promise<void> {
    await this.deps.audit.record({
      time: this.now(),
      ...actorFields(principal, this.deps.runtime.engine()),
      operation,
      action: "mfa",
      resourceType: null,
      resourceNamespace: null,
      resourceName: null,
      subjectId: principal.user.id,
      decision: allowed ? "ALLOW" : "DENY",
      reason: allowed ? "ALLOWED" : "UNAUTHENTICATED",
      requestId,
      metadata: {
        sessionId: principal.credential.kind === "session" ? principal.credential.sessionId : null,
        ...metadata,
      },
    });
  }
}

function requireSession(principal: Principal, field: string): void {
  if (principal.credential.kind !== "session") {
    throw new DomainError("FORBIDDEN", `${field} is for a person's session (an SSO login): a token never carries MFA`, {
      reason: "TOKEN_SCOPE",
    });
  }
}
