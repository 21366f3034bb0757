// The `ldap` passport strategy: a username and password checked against the
// directory, the entry's email, name and groups handed on as the same
// SsoIdentity SAML and OIDC produce (source LDAP). Before the directory is
// asked, an address or username over its limit of failed logins is refused,
// and so is a portcullis user who is locked or deprovisioned; every wrong
// password or unknown user counts against both limits.
import { Strategy } from "passport-strategy";
import type { LdapConfig } from "../../config";
import type { UserRepository } from "../../domain/ports/storage.port";
import type { SsoIdentity } from "../../domain/sso/sso-login";
import type { AuthRateLimiter, RateLimitRefusal } from "../auth-rate-limiter";
import { DirectoryUnavailable, type LdapDirectory } from "./ldap-directory";

/** What the strategy reads from the request: the parsed form or JSON body, and the caller's address. */
export interface LdapLoginView {
  body: { username?: unknown; password?: unknown };
  sourceIp: string | null;
}

export type LdapFailureReason =
  | "bad_input"
  | "unknown_user"
  | "ambiguous_user"
  | "bad_password"
  | "no_email"
  | "user_locked"
  | "rate_limited"
  | "directory_unavailable";

export interface LdapFailure {
  failure: LdapFailureReason;
  /** For the audit event and the log; never shown to the caller for a wrong password or unknown user. */
  detail: string;
  /** The input field at fault (bad_input). */
  field?: "username" | "password";
  /** The lower-cased username, when one was given. */
  username?: string;
  rateLimit?: RateLimitRefusal;
}

export interface LdapStrategyDeps {
  config: LdapConfig;
  directory: LdapDirectory;
  users: Pick<UserRepository, "getByExternalIdentity" | "getByEmail">;
  /** Limits failed logins per address and per username; without one, nothing is limited. */
  limiter?: AuthRateLimiter | null;
}

const MAX_USERNAME = 256;
const MAX_PASSWORD = 1024;

/** The key a username is counted and linked under: trimmed, lower-cased. */
export function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}

export class LdapStrategy extends Strategy {
  readonly name = "ldap";

  constructor(private readonly deps: LdapStrategyDeps) {
    super();
  }

  override authenticate(req: unknown): void {
    this.check(req as LdapLoginView).then(
      (outcome) => ("identity" in outcome ? this.success(outcome.identity) : this.fail(outcome, statusOf(outcome))),
      (err: unknown) => this.error(err instanceof Error ? err : new Error(String(err))),
    );
  }

  private async check(view: LdapLoginView): Promise<{ identity: SsoIdentity } | LdapFailure> {
    const { username, password } = view.body;
    if (typeof username !== "string" || username.trim() === "")
      return { failure: "bad_input", field: "username", detail: "username: required" };
    if (username.length > MAX_USERNAME || /\p{Cc}/u.test(username))
      return {
        failure: "bad_input",
        field: "username",
        detail: `username: at most ${MAX_USERNAME} characters, no control characters`,
      };
    // An empty password would be an anonymous bind, which directories accept: never sent.
    if (typeof password !== "string" || password === "")
      return { failure: "bad_input", field: "password", detail: "password: required" };
    if (password.length > MAX_PASSWORD)
      return { failure: "bad_input", field: "password", detail: `password: at most ${MAX_PASSWORD} characters` };
    const key = usernameKey(username);
    const limiter = this.deps.limiter ?? null;
    const blocked = limiter?.addressBlocked(view.sourceIp) ?? (await limiter?.credentialBlocked(`ldap:${key}`)) ?? null;
    if (blocked !== null)
      return { failure: "rate_limited", username: key, rateLimit: blocked, detail: "too many failed logins" };
    const known =
      (await this.deps.users.getByExternalIdentity("LDAP", this.deps.config.provider, key)) ??
      (key.includes("@") ? await this.deps.users.getByEmail(key) : null);
    if (known !== null && known.status !== "ACTIVE")
      return { failure: "user_locked", username: key, detail: `the portcullis user ${known.email} is ${known.status}` };
    let answer;
    try {
      answer = await this.deps.directory.authenticate(username.trim(), password);
    } catch (err) {
      if (!(err instanceof DirectoryUnavailable)) throw err;
      return { failure: "directory_unavailable", username: key, detail: err.message };
    }
    if (!answer.ok) {
      const refusal = (await limiter?.failed(view.sourceIp, `ldap:${key}`)) ?? null;
      const detail =
        answer.failure === "unknown_user"
          ? "no directory entry matches the username"
          : answer.failure === "ambiguous_user"
            ? "more than one directory entry matches the username"
            : "the directory refused the password";
      return refusal === null
        ? { failure: answer.failure, username: key, detail }
        : { failure: "rate_limited", username: key, rateLimit: refusal, detail };
    }
    const { user } = answer;
    if (user.email === null)
      return {
        failure: "no_email",
        username: key,
        detail: `${user.dn} has none of the email attributes ${this.deps.config.emailAttributes.join(", ")}`,
      };
    return {
      identity: {
        provider: this.deps.config.provider,
        source: "LDAP",
        externalId: key,
        email: user.email,
        displayName: user.displayName,
        groups: user.groups,
        // A directory password is one factor.
        mfa: false,
      },
    };
  }
}

function statusOf(failure: LdapFailure): number {
  switch (failure.failure) {
    case "bad_input":
      return 400;
    case "user_locked":
      return 403;
    case "rate_limited":
      return 429;
    case "directory_unavailable":
      return 503;
    default:
      return 401;
  }
}
