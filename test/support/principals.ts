// Users and tokens for tests, written straight to storage and the running
// instance's compiled state (what the user and token mutations do once they exist).
import { randomUUID } from "node:crypto";
import { generateSecret, hashSecret, secretHint, TOKEN_PREFIX } from "../../src/domain/credentials/secret-format";
import { toGrantDef, toTokenDef, toUserDef } from "../../src/domain/policy-state";
import type { GrantRecord, TokenRecord, UserRecord } from "../../src/domain/model";
import type { TestServer } from "./server";
import { roleRecordFromDoc } from "../../src/domain/bootstrap";
import { parsePolicyDocument, parseRoleDocument } from "../../src/engine";

export interface TestUser {
  user: UserRecord;
  token: string;
  tokenId: string;
}

export async function addUser(
  server: TestServer,
  roles: string[],
  options: { scope?: string; groups?: string[]; tokenRoles?: string[] } = {},
): Promise<TestUser> {
  const { storage, services } = server.app;
  const now = new Date();
  const user: UserRecord = {
    id: randomUUID(),
    email: `u-${randomUUID().slice(0, 8)}@example.com`,
    displayName: null,
    kind: "HUMAN",
    status: "ACTIVE",
    source: "LOCAL",
    externalId: null,
    groups: options.groups ?? [],
    mfaEnrolled: false,
    lockedReason: null,
    createdAt: now,
    lastSeenAt: null,
  };
  await storage.users.create(user);
  const engine = services.runtime.engine();
  engine.putUser(toUserDef(user));
  for (const role of roles) {
    const grant: GrantRecord = {
      id: randomUUID(),
      subjectType: "USER",
      userId: user.id,
      group: null,
      role,
      scope: options.scope ?? "",
      active: true,
      startsAt: null,
      expiresAt: null,
      reason: null,
      source: "MANUAL",
      ssoProvider: null,
      accessRequestId: null,
      createdById: null,
      createdAt: now,
    };
    await storage.grants.create(grant);
    engine.putGrant(toGrantDef(grant));
  }
  const secret = generateSecret(TOKEN_PREFIX);
  const token: TokenRecord = {
    id: randomUUID(),
    name: "test",
    ownerId: user.id,
    secretHash: hashSecret(secret),
    hint: secretHint(secret),
    roles: options.tokenRoles ?? [],
    boundCidrs: [],
    breakGlass: false,
    ttlSeconds: null,
    createdById: null,
    createdAt: now,
    expiresAt: null,
    lastUsedAt: null,
    lastUsedIp: null,
    revokedAt: null,
  };
  await storage.tokens.create(token);
  engine.putToken(toTokenDef(token));
  return { user, token: secret, tokenId: token.id };
}

/** A policy and a role using it, stored and compiled into the running instance. */
export async function addRole(server: TestServer, policyYaml: string, roleYaml: string): Promise<void> {
  const { storage, services } = server.app;
  const engine = services.runtime.engine();
  const policy = parsePolicyDocument(policyYaml, engine.typeMap());
  const now = new Date();
  await storage.policies.create(
    {
      id: randomUUID(),
      name: policy.name,
      description: policy.description,
      version: 1,
      builtIn: false,
      document: policyYaml,
      createdAt: now,
      updatedAt: now,
    },
    null,
  );
  engine.putPolicy(policy);
  const role = parseRoleDocument(roleYaml, engine.roleRefs());
  await storage.roles.create(
    roleRecordFromDoc(role, roleYaml, { id: randomUUID(), builtIn: false, version: 1, createdAt: now, updatedAt: now }),
  );
  engine.putRole(role);
}

/** Changes a user's status in storage and in the running instance. */
export async function setStatus(server: TestServer, user: UserRecord, status: UserRecord["status"]): Promise<void> {
  const updated = { ...user, status };
  await server.app.storage.users.update(updated);
  server.app.services.runtime.engine().putUser(toUserDef(updated));
}

/** Revokes a token in storage and in the running instance. */
export async function revokeToken(server: TestServer, tokenId: string): Promise<void> {
  const token = (await server.app.storage.tokens.get(tokenId))!;
  const revoked = { ...token, revokedAt: new Date() };
  await server.app.storage.tokens.update(revoked);
  server.app.services.runtime.engine().putToken(toTokenDef(revoked));
}
