// Tokens (docs/concepts.md): list, issue, rotate, revoke. Every change goes
// through the policy writer, so its checks see the state it changes, its change
// record commits with it, and this instance's engine knows it before the next
// request. Secrets exist only in the value returned to the caller: storage keeps
// their hash, change records and logs never see them.
import { randomUUID } from "node:crypto";
import type { Engine } from "../../engine";
import { generateSecret, hashSecret, secretHint, TOKEN_PREFIX } from "../credentials/secret-format";
import { badInput, DomainError } from "../errors";
import type { RoleRecord, TokenRecord, UserRecord } from "../model";
import { toTokenDef } from "../policy-state";
import type { PolicyWriter } from "../policy/policy-writer";
import type { Repositories, Storage } from "../ports/storage.port";
import type { Principal } from "../principal";
import { checkTokenIssue } from "./token-escalation";
import { readTokenInput, type CreateTokenArgs } from "./token-input";

export interface IssuedToken {
  token: TokenRecord;
  /** Shown once; never stored, logged or recorded. */
  secret: string;
}

/** What a change record says about a token: everything but the secret and its hash. */
export function describeToken(t: TokenRecord): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    ownerId: t.ownerId,
    roles: t.roles,
    boundCidrs: t.boundCidrs,
    breakGlass: t.breakGlass,
    ttlSeconds: t.ttlSeconds,
    hint: t.hint,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

const isExpired = (t: TokenRecord, now: Date) => t.expiresAt !== null && t.expiresAt <= now;

export class TokenService {
  constructor(
    private readonly storage: Storage,
    private readonly writer: PolicyWriter,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The tokens of `userId`, or of the caller when it is left out; NOT_FOUND for an unknown user. */
  async list(caller: Principal, userId: string | null, includeRevoked: boolean): Promise<TokenRecord[]> {
    const ownerId = userId ?? caller.user.id;
    if (ownerId !== caller.user.id && !(await this.storage.users.get(ownerId))) {
      throw new DomainError("NOT_FOUND", `no user with id '${ownerId}'`, { field: "userId" });
    }
    return this.storage.tokens.listByOwner(ownerId, includeRevoked);
  }

  async create(caller: Principal, input: CreateTokenArgs, requestId: string): Promise<IssuedToken> {
    const spec = readTokenInput(input);
    return this.writer.write({ actor: caller, operation: "Mutation.createToken", requestId }, async (repos, engine) => {
      const ownerId = spec.userId ?? caller.user.id;
      const owner = await repos.users.get(ownerId);
      if (!owner) throw new DomainError("NOT_FOUND", `no user with id '${ownerId}'`, { field: "input.userId" });
      assertActive(owner, "input.userId");
      const roles: RoleRecord[] = [];
      for (const [i, name] of spec.roles.entries()) {
        const role = await repos.roles.get(name);
        if (!role) throw badInput(spec.rolePaths[i], `unknown role '${name}'`);
        roles.push(role);
      }
      await this.checkIssue(repos, engine, caller, ownerId, roles, spec.breakGlass);
      const now = this.now();
      const secret = generateSecret(TOKEN_PREFIX);
      const token: TokenRecord = {
        id: randomUUID(),
        name: spec.name,
        ownerId,
        secretHash: hashSecret(secret),
        hint: secretHint(secret),
        roles: roles.map((r) => r.name),
        boundCidrs: spec.boundCidrs,
        breakGlass: spec.breakGlass,
        ttlSeconds: spec.ttlSeconds,
        createdById: caller.user.id,
        createdAt: now,
        expiresAt: expiry(now, spec.ttlSeconds),
        lastUsedAt: null,
        lastUsedIp: null,
        revokedAt: null,
      };
      await repos.tokens.create(token);
      return {
        result: { token, secret },
        apply: (e) => e.putToken(toTokenDef(token)),
        record: { created: describeToken(token) },
        resource: { type: "token", name: token.id },
      };
    });
  }

  /** A new secret for the same token; the old one stops working when this commits. */
  async rotate(caller: Principal, id: string, requestId: string): Promise<IssuedToken> {
    return this.writer.write({ actor: caller, operation: "Mutation.rotateToken", requestId }, async (repos, engine) => {
      const token = await repos.tokens.get(id);
      if (!token) throw new DomainError("NOT_FOUND", `no token with id '${id}'`, { field: "id" });
      const now = this.now();
      if (token.revokedAt !== null)
        throw new DomainError("CONFLICT", `token ${id} is revoked; a revoked token cannot be rotated`, { field: "id" });
      if (isExpired(token, now))
        throw new DomainError("CONFLICT", `token ${id} has expired; create a new one`, { field: "id" });
      const owner = await repos.users.get(token.ownerId);
      if (!owner) throw new DomainError("CONFLICT", `token ${id} has no owner`, { field: "id" });
      assertActive(owner, "id");
      const roles: RoleRecord[] = [];
      for (const name of token.roles) {
        const role = await repos.roles.get(name);
        if (!role)
          throw new DomainError(
            "CONFLICT",
            `token ${id} carries role '${name}', which no longer exists; create a new token`,
            { field: "id" },
          );
        roles.push(role);
      }
      await this.checkIssue(repos, engine, caller, token.ownerId, roles, token.breakGlass);
      const secret = generateSecret(TOKEN_PREFIX);
      const rotated: TokenRecord = {
        ...token,
        secretHash: hashSecret(secret),
        hint: secretHint(secret),
        expiresAt: expiry(now, token.ttlSeconds),
      };
      await repos.tokens.update(rotated);
      return {
        result: { token: rotated, secret },
        apply: (e) => e.putToken(toTokenDef(rotated)),
        record: { rotated: describeToken(rotated), previousHint: token.hint },
        resource: { type: "token", name: id },
      };
    });
  }

  /** Revokes one token; a token already revoked is returned as it is. */
  async revoke(caller: Principal, id: string, requestId: string): Promise<TokenRecord> {
    const current = await this.storage.tokens.get(id);
    if (!current) throw new DomainError("NOT_FOUND", `no token with id '${id}'`, { field: "id" });
    if (current.revokedAt !== null) return current;
    return this.writer.write({ actor: caller, operation: "Mutation.revokeToken", requestId }, async (repos) => {
      const token = await repos.tokens.get(id);
      if (!token) throw new DomainError("NOT_FOUND", `no token with id '${id}'`, { field: "id" });
      if (token.revokedAt !== null) return { result: token };
      const revoked: TokenRecord = { ...token, revokedAt: this.now() };
      await repos.tokens.update(revoked);
      return {
        result: revoked,
        apply: (e) => e.putToken(toTokenDef(revoked)),
        record: { revoked: describeToken(revoked) },
        resource: { type: "token", name: id },
      };
    });
  }

  /** Revokes every token the user owns; returns how many of them were active (neither revoked nor expired). */
  async revokeUserTokens(caller: Principal, userId: string, requestId: string): Promise<number> {
    return this.writer.write({ actor: caller, operation: "Mutation.revokeUserTokens", requestId }, async (repos) => {
      const user = await repos.users.get(userId);
      if (!user) throw new DomainError("NOT_FOUND", `no user with id '${userId}'`, { field: "userId" });
      const live = await repos.tokens.listByOwner(userId, false);
      if (live.length === 0) return { result: 0 };
      const at = this.now();
      await repos.tokens.revokeForOwner(userId, at);
      const revoked = live.map((t) => ({ ...t, revokedAt: at }));
      return {
        result: live.filter((t) => !isExpired(t, at)).length,
        apply: (e) => revoked.forEach((t) => e.putToken(toTokenDef(t))),
        record: { userId, revoked: revoked.map((t) => t.id) },
        resource: { type: "token", name: user.email },
      };
    });
  }

  private async checkIssue(
    repos: Repositories,
    engine: Engine,
    caller: Principal,
    ownerId: string,
    roles: RoleRecord[],
    breakGlass: boolean,
  ): Promise<void> {
    const actorTokenRoles =
      caller.credential.kind === "token" ? ((await repos.tokens.get(caller.credential.tokenId))?.roles ?? []) : null;
    const ownerRoles: RoleRecord[] = [];
    if (roles.length === 0) {
      for (const name of engine.rolesOf(ownerId)) {
        const role = await repos.roles.get(name);
        if (role) ownerRoles.push(role);
      }
    }
    checkTokenIssue({ engine, actor: caller, actorTokenRoles, ownerId, roles, ownerRoles, breakGlass });
  }
}

function expiry(now: Date, ttlSeconds: number | null): Date | null {
  return ttlSeconds === null ? null : new Date(now.getTime() + ttlSeconds * 1000);
}

/** A token of a locked or deprovisioned user would fail authentication anyway: issuing one is a conflict with the user's state. */
function assertActive(owner: UserRecord, field: string): void {
  if (owner.status !== "ACTIVE")
    throw new DomainError(
      "CONFLICT",
      `user ${owner.email} is ${owner.status}; only an active user may own a new secret`,
      { field },
    );
}
