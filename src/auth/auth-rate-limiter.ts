// Limits on what guesses secrets (failed authentications per source address and
// per credential id, requests to /auth/* per address), with rate-limiter-flexible:
// in memory for one instance, in Redis when REDIS_URL is set so every instance
// counts together. A window is fixed: it starts at the first counted event and
// lasts `windowSeconds`. The first refusal of a window is reported as such
// (`first`), so the caller audits once per window, not once per request.
import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

export interface RateLimitSettings {
  /** Failed authentications one source address may make in a window. */
  failuresPerAddress: number;
  /** Failed authentications with one token or session (by id, never the secret) in a window. */
  failuresPerCredential: number;
  /** Requests to /auth/* one source address may make in a window. */
  authRequestsPerAddress: number;
  windowSeconds: number;
}

export type RateLimitName = "failures-per-address" | "failures-per-credential" | "auth-requests-per-address";

export interface RateLimitRefusal {
  limit: RateLimitName;
  /** The number allowed per window. */
  points: number;
  windowSeconds: number;
  retryAfterSeconds: number;
  /** The first refusal of this window for this key: the one to audit. */
  first: boolean;
}

const UNKNOWN_ADDRESS = "unknown";
const MAX_BLOCKED_REMEMBERED = 100_000;

export class AuthRateLimiter {
  private readonly byAddress: RateLimiterAbstract;
  private readonly byCredential: RateLimiterAbstract;
  private readonly authRoutes: RateLimiterAbstract;
  /** Addresses over their failure limit, and until when (ms): refused before any credential is read. */
  private readonly blockedUntil = new Map<string, number>();

  /** `namespace`: what Redis keys start with, one per deployment (instances sharing a database count together). */
  constructor(
    readonly settings: RateLimitSettings,
    redis: Redis | null = null,
    namespace = "portcullis:rl",
  ) {
    const make = (keyPrefix: string, points: number): RateLimiterAbstract => {
      const options = { keyPrefix: `${namespace}:${keyPrefix}`, points, duration: settings.windowSeconds };
      if (redis === null) return new RateLimiterMemory(options);
      // While Redis is away each instance counts on its own rather than making logins wait for it.
      return new RateLimiterRedis({
        ...options,
        storeClient: redis,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(options),
      });
    };
    this.byAddress = make("fail-ip", settings.failuresPerAddress);
    this.byCredential = make("fail-cred", settings.failuresPerCredential);
    this.authRoutes = make("auth-ip", settings.authRequestsPerAddress);
  }

  /**
   * Whether `address` has used up its failed authentications (checked before
   * authenticating). Answered from what this instance learnt when it counted a
   * failure, so a request that authenticates costs no store round trip; with
   * Redis, the next failure from the address on this instance learns of the
   * others' counts.
   */
  addressBlocked(address: string | null, now = Date.now()): RateLimitRefusal | null {
    const key = address ?? UNKNOWN_ADDRESS;
    const until = this.blockedUntil.get(key);
    if (until === undefined) return null;
    if (until <= now) {
      this.blockedUntil.delete(key);
      return null;
    }
    const { failuresPerAddress: points, windowSeconds } = this.settings;
    return {
      limit: "failures-per-address",
      points,
      windowSeconds,
      retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)),
      first: false,
    };
  }

  /** Counts one failed authentication; a refusal when it goes over a limit. */
  async failed(address: string | null, credentialId: string | null): Promise<RateLimitRefusal | null> {
    const key = address ?? UNKNOWN_ADDRESS;
    const byAddress = await this.consume(this.byAddress, key, "failures-per-address", this.settings.failuresPerAddress);
    if (byAddress !== null) this.remember(key, Date.now() + byAddress.retryAfterSeconds * 1000);
    const byCredential =
      credentialId === null
        ? null
        : await this.consume(
            this.byCredential,
            credentialId,
            "failures-per-credential",
            this.settings.failuresPerCredential,
          );
    return byAddress ?? byCredential;
  }

  /**
   * Whether failures with `credentialId` (a token id, or `ldap:<username>`) are
   * over their limit already: asked before a login is tried at all.
   */
  async credentialBlocked(credentialId: string): Promise<RateLimitRefusal | null> {
    const res = await this.byCredential.get(credentialId);
    const points = this.settings.failuresPerCredential;
    if (res === null || res.consumedPoints <= points) return null;
    return this.refusal("failures-per-credential", points, res, false);
  }

  /** Counts one request to /auth/*; a refusal when the address is over its limit. */
  authRequest(address: string | null): Promise<RateLimitRefusal | null> {
    return this.consume(
      this.authRoutes,
      address ?? UNKNOWN_ADDRESS,
      "auth-requests-per-address",
      this.settings.authRequestsPerAddress,
    );
  }

  private remember(key: string, until: number): void {
    if (this.blockedUntil.size >= MAX_BLOCKED_REMEMBERED) {
      const now = Date.now();
      for (const [k, u] of this.blockedUntil) if (u <= now) this.blockedUntil.delete(k);
      if (this.blockedUntil.size >= MAX_BLOCKED_REMEMBERED)
        this.blockedUntil.delete(this.blockedUntil.keys().next().value!);
    }
    this.blockedUntil.set(key, until);
  }

  private async consume(
    limiter: RateLimiterAbstract,
    key: string,
    limit: RateLimitName,
    points: number,
  ): Promise<RateLimitRefusal | null> {
    try {
      await limiter.consume(key);
      return null;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return this.refusal(limit, points, rejection, rejection.consumedPoints === points + 1);
    }
  }

  private refusal(limit: RateLimitName, points: number, res: RateLimiterRes, first: boolean): RateLimitRefusal {
    return {
      limit,
      points,
      windowSeconds: this.settings.windowSeconds,
      retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
      first,
    };
  }
}
