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

export class AuthRateLimiter {
  private readonly byAddress: RateLimiterAbstract;
  private readonly byCredential: RateLimiterAbstract;
  private readonly authRoutes: RateLimiterAbstract;

  /** `namespace`: what Redis keys start with, one per deployment (instances sharing a database count together). */
  constructor(readonly settings: RateLimitSettings, redis: Redis | null = null, namespace = "portcullis:rl") {
    const make = (keyPrefix: string, points: number): RateLimiterAbstract => {
      const options = { keyPrefix: `${namespace}:${keyPrefix}`, points, duration: settings.windowSeconds };
      return redis === null ? new RateLimiterMemory(options) : new RateLimiterRedis({ ...options, storeClient: redis });
    };
    this.byAddress = make("fail-ip", settings.failuresPerAddress);
    this.byCredential = make("fail-cred", settings.failuresPerCredential);
    this.authRoutes = make("auth-ip", settings.authRequestsPerAddress);
  }

  /** Whether `address` has used up its failed authentications (checked before authenticating). */
  async addressBlocked(address: string | null): Promise<RateLimitRefusal | null> {
    const res = await this.byAddress.get(address ?? UNKNOWN_ADDRESS);
    if (res === null || res.consumedPoints <= this.settings.failuresPerAddress) return null;
    return this.refusal("failures-per-address", this.settings.failuresPerAddress, res, false);
  }

  /** Counts one failed authentication; a refusal when it goes over a limit. */
  async failed(address: string | null, credentialId: string | null): Promise<RateLimitRefusal | null> {
    const byAddress = await this.consume(this.byAddress, address ?? UNKNOWN_ADDRESS, "failures-per-address", this.settings.failuresPerAddress);
    const byCredential = credentialId === null ? null
      : await this.consume(this.byCredential, credentialId, "failures-per-credential", this.settings.failuresPerCredential);
    return byAddress ?? byCredential;
  }

  /** Counts one request to /auth/*; a refusal when the address is over its limit. */
  authRequest(address: string | null): Promise<RateLimitRefusal | null> {
    return this.consume(this.authRoutes, address ?? UNKNOWN_ADDRESS, "auth-requests-per-address", this.settings.authRequestsPerAddress);
  }

  private async consume(limiter: RateLimiterAbstract, key: string, limit: RateLimitName, points: number): Promise<RateLimitRefusal | null> {
    try {
      await limiter.consume(key);
      return null;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return this.refusal(limit, points, rejection, rejection.consumedPoints === points + 1);
    }
  }

  private refusal(limit: RateLimitName, points: number, res: RateLimiterRes, first: boolean): RateLimitRefusal {
    return { limit, points, windowSeconds: this.settings.windowSeconds, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)), first };
  }
}
