// Limits on failed authentications and on /auth/* requests (see README,
// Configuration). Counted per window; a window starts at the first counted event.
import { ConfigError, value, type Env } from "./config-values";
import { durationProblem, parseDuration } from "../engine/duration";

export interface RateLimitConfig {
  /** PORTCULLIS_AUTH_FAILURES_PER_ADDRESS: failed authentications per source address per window. */
  failuresPerAddress: number;
  /** PORTCULLIS_AUTH_FAILURES_PER_CREDENTIAL: failed authentications per token or session id per window. */
  failuresPerCredential: number;
  /** PORTCULLIS_AUTH_REQUESTS_PER_ADDRESS: requests to /auth/* per source address per window. */
  authRequestsPerAddress: number;
  /** PORTCULLIS_RATE_LIMIT_WINDOW. */
  windowSeconds: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  failuresPerAddress: 20,
  failuresPerCredential: 10,
  authRequestsPerAddress: 300,
  windowSeconds: 5 * 60,
};

function count(env: Env, variable: string, fallback: number): number {
  const raw = value(env, variable);
  if (raw === undefined) return fallback;
  if (!/^[1-9][0-9]{0,8}$/.test(raw))
    throw new ConfigError(variable, `'${raw.slice(0, 40)}' is not a whole number from 1 to 999999999`);
  return Number(raw);
}

export function parseRateLimits(env: Env): RateLimitConfig {
  const window = value(env, "PORTCULLIS_RATE_LIMIT_WINDOW");
  const problem = window === undefined ? null : durationProblem(window);
  if (problem !== null) throw new ConfigError("PORTCULLIS_RATE_LIMIT_WINDOW", problem);
  return {
    failuresPerAddress: count(env, "PORTCULLIS_AUTH_FAILURES_PER_ADDRESS", DEFAULT_RATE_LIMITS.failuresPerAddress),
    failuresPerCredential: count(
      env,
      "PORTCULLIS_AUTH_FAILURES_PER_CREDENTIAL",
      DEFAULT_RATE_LIMITS.failuresPerCredential,
    ),
    authRequestsPerAddress: count(
      env,
      "PORTCULLIS_AUTH_REQUESTS_PER_ADDRESS",
      DEFAULT_RATE_LIMITS.authRequestsPerAddress,
    ),
    windowSeconds: window === undefined ? DEFAULT_RATE_LIMITS.windowSeconds : parseDuration(window),
  };
}
