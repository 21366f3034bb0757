// Authorization: Bearer <secret>, or the session cookie → Principal
// (docs/concepts.md). A secret with a bad shape or checksum is refused before
// any lookup; only its SHA-256 is looked up.
import { checkSecret, hashesEqual, hashSecret, SESSION_PREFIX } from "../domain/credentials/secret-format";
import type { SessionRepository, TokenRepository, UserRepository } from "../domain/ports/storage.port";
import type { Principal } from "../domain/principal";
import type { AuthRateLimiter, RateLimitRefusal } from "./auth-rate-limiter";
import { addressInAny } from "./ip-match";
import type { UsageRecorder } from "./usage-recorder";

export type AuthFailure =
  | "missing"
  | "malformed"
  | "checksum"
  | "unknown"
  | "revoked"
  | "expired"
  | "source_ip"
  | "user_inactive"
  | "rate_limited";

export type AuthResult =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      failure: AuthFailure;
      credentialId?: string;
      credentialKind?: "token" | "session";
      rateLimit?: RateLimitRefusal;
    };

/** The reads authentication needs (storage itself, or a cache in front of it). */
export interface CredentialLookups {
  tokens: Pick<TokenRepository, "getByHash">;
  sessions: Pick<SessionRepository, "getByHash">;
  users: Pick<UserRepository, "get">;
}

/** What a request may carry: the Authorization header and the session cookie's value. */
export interface RequestCredentials {
  authorization: string | undefined;
  sessionCookie: string | null;
}

export class BearerAuthenticator {
  constructor(
    private readonly storage: CredentialLookups,
    private readonly now: () => Date = () => new Date(),
    /** Keeps tokens' lastUsedAt/lastUsedIp; without one, uses are not recorded. */
    private readonly usage?: UsageRecorder,
    /** Limits failed authentications; without one, nothing is limited. */
    private readonly limiter?: AuthRateLimiter,
    /** Keeps sessions' lastSeenAt; without one, uses are not recorded. */
    private readonly sessionUsage?: UsageRecorder,
  ) {}

  /**
   * An address over its limit of failed authentications is refused before its
   * credential is looked at; a failure that takes the address or the credential
   * over its limit is answered as rate-limited. A request without credentials
   * is not a guess and is not counted.
   */
  private async limited(sourceIp: string | null, run: () => Promise<AuthResult>): Promise<AuthResult> {
    if (this.limiter === undefined) return run();
    const blocked = this.limiter.addressBlocked(sourceIp);
    if (blocked !== null) return { ok: false, failure: "rate_limited", rateLimit: blocked };
    const result = await run();
    if (result.ok || result.failure === "missing") return result;
    const refusal = await this.limiter.failed(sourceIp, result.credentialId ?? null);
    return refusal === null ? result : { ...result, failure: "rate_limited", rateLimit: refusal };
  }

  authenticate(authorization: string | undefined, sourceIp: string | null): Promise<AuthResult> {
    return this.limited(sourceIp, () => this.authenticateHeader(authorization, sourceIp));
  }

  private async authenticateHeader(authorization: string | undefined, sourceIp: string | null): Promise<AuthResult> {
    if (authorization === undefined || authorization.trim() === "") return { ok: false, failure: "missing" };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
    if (!match) return { ok: false, failure: "malformed" };
    const secret = match[1];
    const check = checkSecret(secret);
    if (!check.ok) return { ok: false, failure: check.problem === "checksum" ? "checksum" : "malformed" };
    const hash = hashSecret(secret);
    return check.prefix === SESSION_PREFIX ? this.session(hash, sourceIp) : this.token(hash, sourceIp);
  }

  /**
   * A request with an Authorization header is judged by that header alone; the
   * session cookie counts only without one, and only a session secret (`pts_`) is
   * accepted from it: a token never travels as a cookie.
   */
  authenticateRequest(credentials: RequestCredentials, sourceIp: string | null): Promise<AuthResult> {
    return this.limited(sourceIp, async () => {
      const cookie = credentials.sessionCookie;
      if (credentials.authorization !== undefined || cookie === null)
        return this.authenticateHeader(credentials.authorization, sourceIp);
      const check = checkSecret(cookie, SESSION_PREFIX);
      if (!check.ok) return { ok: false, failure: check.problem === "checksum" ? "checksum" : "malformed" };
      return this.session(hashSecret(cookie), sourceIp);
    });
  }

  private async token(hash: string, sourceIp: string | null): Promise<AuthResult> {
    const token = await this.storage.tokens.getByHash(hash);
    if (!token || !hashesEqual(token.secretHash, hash)) return { ok: false, failure: "unknown" };
    const fail = (failure: AuthFailure): AuthResult => ({
      ok: false,
      failure,
      credentialId: token.id,
      credentialKind: "token",
    });
    if (token.revokedAt !== null) return fail("revoked");
    if (token.expiresAt !== null && token.expiresAt <= this.now()) return fail("expired");
    if (token.boundCidrs.length > 0 && !addressInAny(sourceIp, token.boundCidrs)) return fail("source_ip");
    const user = await this.storage.users.get(token.ownerId);
    if (!user || user.status !== "ACTIVE") return fail("user_inactive");
    this.usage?.used(token, sourceIp);
    return {
      ok: true,
      principal: {
        user,
        credential: { kind: "token", tokenId: token.id, breakGlass: token.breakGlass },
        mfa: false,
        sourceIp,
      },
    };
  }

  private async session(hash: string, sourceIp: string | null): Promise<AuthResult> {
    const session = await this.storage.sessions.getByHash(hash);
    if (!session || !hashesEqual(session.secretHash, hash)) return { ok: false, failure: "unknown" };
    const fail = (failure: AuthFailure): AuthResult => ({
      ok: false,
      failure,
      credentialId: session.id,
      credentialKind: "session",
    });
    const now = this.now();
    if (session.revokedAt !== null) return fail("revoked");
    if (session.expiresAt <= now) return fail("expired");
    const user = await this.storage.users.get(session.userId);
    if (!user || user.status !== "ACTIVE") return fail("user_inactive");
    const mfa = session.mfa || (session.mfaVerifiedUntil !== null && now < session.mfaVerifiedUntil);
    this.sessionUsage?.used({ id: session.id, lastUsedAt: session.lastSeenAt }, sourceIp);
    return { ok: true, principal: { user, credential: { kind: "session", sessionId: session.id }, mfa, sourceIp } };
  }
}
