// Small random states for the engine's own unit tests (whoCan against brute
// force, incremental updates against a fresh compile). Value pools are tiny so
// that rules, grants and requests meet often.

import fc from "fast-check";
import type {
  DecisionContext,
  GrantDef,
  PolicyDoc,
  PolicyState,
  Principal,
  Resource,
  RoleDoc,
  RuleSpec,
  TokenDef,
  UserDef,
} from "../../src/engine";
import { DEFAULT_TYPES } from "./case-loader";

export const NOW = new Date("2025-06-01T12:00:00Z");
const at = (s: number) => new Date(NOW.getTime() + s * 1000);

export const USERS = ["u0", "u1", "u2", "u3", "u4"];
export const GROUPS = ["eng", "ops"];
export const ROLES = ["r0", "r1", "r2", "r3"];
export const POLICIES = ["p0", "p1", "p2"];
export const TOKENS = ["t0", "t1"];
export const NAMESPACES = ["", "prod", "prod/a", "prod/a/b", "production", "dev", "system"];
export const NAMES = ["", "api", "api-1", "web"];
export const TYPES = ["job", "secret", "node", "user", "widget"];
export const ACTIONS = ["list", "read", "logs", "restart", "exec", "write", "drain", "fly"];
export const CONTEXTS: DecisionContext[] = [
  { mfa: false, sourceIp: null },
  { mfa: true, sourceIp: null },
  { mfa: false, sourceIp: "10.1.2.3" },
  { mfa: true, sourceIp: "192.168.1.9" },
];

const ruleArb: fc.Arbitrary<RuleSpec> = fc
  .record({
    deny: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
    type: fc.constantFrom("*", "job", "job", "secret", "node", "user"),
    namespace: fc.constantFrom("**", "**", "prod/**", "prod", "prod/*", "*", "p?od/**", "dev/**", "system"),
    name: fc.constantFrom("*", "*", "api*", "web", "?eb"),
    labels: fc.constantFrom<Array<{ key: string; values: string[] }>>(
      [],
      [],
      [{ key: "team", values: ["pay", "c*"] }],
      [{ key: "*", values: ["*"] }],
    ),
    what: fc.oneof(
      fc.constantFrom("METADATA", "READ", "OPERATE", "ADMIN", "OWNER").map((level) => ({ level, capabilities: null })),
      fc.constant({ level: null, capabilities: ["*"] }),
      fc
        .subarray(["list", "read", "logs", "restart", "exec", "write", "drain"], { minLength: 1, maxLength: 2 })
        .map((capabilities) => ({ level: null, capabilities })),
    ),
    mfa: fc.boolean(),
    cidrs: fc.constantFrom([], [], ["10.0.0.0/8"]),
  })
  .map((r): RuleSpec => ({
    effect: r.deny ? "DENY" : "ALLOW",
    resourceType: r.type,
    namespace: r.namespace,
    name: r.name,
    labels: r.labels.map((l) => ({ key: l.key, values: [...l.values] })),
    capabilities: r.what.capabilities === null ? null : [...r.what.capabilities],
    level: r.what.level,
    requireMfa: !r.deny && r.mfa,
    sourceCidrs: r.deny ? [] : [...r.cidrs],
  }));

export const policyArb = (name: string): fc.Arbitrary<PolicyDoc> =>
  fc.array(ruleArb, { minLength: 1, maxLength: 5 }).map((rules) => ({ name, description: null, rules }));

export const roleArb = (name: string, index: number): fc.Arbitrary<RoleDoc> =>
  fc
    .record({
      policies: fc.subarray(POLICIES, { maxLength: 2 }),
      inherits: fc.subarray(ROLES.slice(0, index), { maxLength: Math.min(2, index) }),
      mfa: fc.boolean(),
      superuser: fc.integer({ min: 0, max: 15 }).map((n) => n === 0),
    })
    .map((r) => ({
      name,
      description: null,
      policies: r.policies,
      inherits: r.inherits,
      options: { maxSessionTtlSeconds: null, requireSessionMfa: r.mfa },
      request: { roles: [], approvals: 1, denials: 1 },
      reviewRequests: { roles: [] },
      superuser: r.superuser,
    }));

export const grantArb = (id: string): fc.Arbitrary<GrantDef> =>
  fc
    .record({
      role: fc.constantFrom(...ROLES, "ghost-role"),
      subject: fc.oneof(
        fc.constantFrom(...USERS).map((userId) => ({ type: "USER" as const, userId })),
        fc.constantFrom(...GROUPS).map((group) => ({ type: "GROUP" as const, group })),
      ),
      scope: fc.constantFrom("", "", "prod", "prod/a", "dev"),
      active: fc.integer({ min: 0, max: 9 }).map((n) => n > 0),
      window: fc.constantFrom<[Date | null, Date | null]>(
        [null, null],
        [null, null],
        [at(1), null],
        [NOW, null],
        [null, NOW],
        [null, at(1)],
      ),
    })
    .map((g) => ({
      id,
      role: g.role,
      subject: g.subject,
      scope: g.scope,
      active: g.active,
      startsAt: g.window[0],
      expiresAt: g.window[1],
    }));

export const userArb = (id: string): fc.Arbitrary<UserDef> =>
  fc.record({
    id: fc.constant(id),
    status: fc.constantFrom<UserDef["status"]>("ACTIVE", "ACTIVE", "ACTIVE", "LOCKED"),
    groups: fc.subarray(GROUPS),
  });

export const tokenArb = (id: string): fc.Arbitrary<TokenDef> =>
  fc.record({
    id: fc.constant(id),
    ownerId: fc.constantFrom(...USERS),
    roles: fc.subarray(ROLES, { maxLength: 2 }),
    expiresAt: fc.constantFrom<Date | null>(null, null, at(-1)),
    revokedAt: fc.constant(null),
  });

export const stateArb: fc.Arbitrary<PolicyState> = fc.record({
  types: fc.constant(DEFAULT_TYPES),
  policies: fc.tuple(...POLICIES.map(policyArb)),
  roles: fc.tuple(...ROLES.map(roleArb)),
  grants: fc
    .integer({ min: 2, max: 8 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => grantArb(`g${i}`)))),
  users: fc.tuple(...USERS.map(userArb)),
  tokens: fc.tuple(...TOKENS.map(tokenArb)),
});

export interface Request {
  principal: Principal;
  action: string;
  resource: Resource;
  context: DecisionContext;
}

/** A fixed grid of requests over the pools above. */
export function requestGrid(): Request[] {
  const out: Request[] = [];
  const principals: Principal[] = [
    ...USERS.map((userId) => ({ kind: "user" as const, userId })),
    ...TOKENS.map((tokenId) => ({ kind: "token" as const, tokenId })),
  ];
  let i = 0;
  for (const principal of principals) {
    for (const type of TYPES) {
      for (const action of ACTIONS) {
        const namespace = NAMESPACES[i % NAMESPACES.length];
        const name = NAMES[(i >> 1) % NAMES.length];
        const labels: Record<string, string> = i % 3 === 0 ? { team: "pay" } : i % 3 === 1 ? { team: "core" } : {};
        out.push({
          principal,
          action,
          resource: { type, namespace, name, labels },
          context: CONTEXTS[i % CONTEXTS.length],
        });
        i++;
      }
    }
  }
  return out;
}
