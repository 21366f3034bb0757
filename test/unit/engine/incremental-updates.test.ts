import { expect } from "chai";
import fc from "fast-check";
import {
  Engine,
  type GrantDef,
  type PolicyDoc,
  type PolicyState,
  type RoleDoc,
  type TokenDef,
  type UserDef,
} from "../../../src/engine";
import {
  grantArb,
  NOW,
  policyArb,
  POLICIES,
  requestGrid,
  roleArb,
  ROLES,
  stateArb,
  tokenArb,
  TOKENS,
  userArb,
  USERS,
} from "../../support/case-random-state";

type Update =
  | { op: "putPolicy"; doc: PolicyDoc }
  | { op: "deletePolicy"; name: string }
  | { op: "putRole"; doc: RoleDoc }
  | { op: "deleteRole"; name: string }
  | { op: "putGrant"; grant: GrantDef }
  | { op: "deleteGrant"; id: string }
  | { op: "putUser"; user: UserDef }
  | { op: "deleteUser"; id: string }
  | { op: "putToken"; token: TokenDef }
  | { op: "deleteToken"; id: string };

const updateArb: fc.Arbitrary<Update> = fc.oneof(
  fc
    .constantFrom(...POLICIES)
    .chain((n) => policyArb(n))
    .map((doc) => ({ op: "putPolicy" as const, doc })),
  fc.constantFrom(...POLICIES).map((name) => ({ op: "deletePolicy" as const, name })),
  fc
    .integer({ min: 0, max: ROLES.length - 1 })
    .chain((i) => roleArb(ROLES[i], i))
    .map((doc) => ({ op: "putRole" as const, doc })),
  fc.constantFrom(...ROLES).map((name) => ({ op: "deleteRole" as const, name })),
  fc
    .integer({ min: 0, max: 9 })
    .chain((i) => grantArb(`g${i}`))
    .map((grant) => ({ op: "putGrant" as const, grant })),
  fc.integer({ min: 0, max: 9 }).map((i) => ({ op: "deleteGrant" as const, id: `g${i}` })),
  fc
    .constantFrom(...USERS)
    .chain(userArb)
    .map((user) => ({ op: "putUser" as const, user })),
  fc.constantFrom(...USERS).map((id) => ({ op: "deleteUser" as const, id })),
  fc
    .constantFrom(...TOKENS)
    .chain(tokenArb)
    .map((token) => ({ op: "putToken" as const, token })),
  fc.constantFrom(...TOKENS).map((id) => ({ op: "deleteToken" as const, id })),
);

/** Applies an update to the engine and to a plain copy of the state. */
function apply(engine: Engine, state: PolicyState, u: Update): void {
  const replace = <T>(list: T[], key: (x: T) => string, id: string, item?: T) => {
    const at = list.findIndex((x) => key(x) === id);
    if (at >= 0) list.splice(at, 1);
    if (item !== undefined) list.push(item);
  };
  switch (u.op) {
    case "putPolicy":
      engine.putPolicy(u.doc);
      return replace(state.policies, (p) => p.name, u.doc.name, u.doc);
    case "deletePolicy":
      engine.deletePolicy(u.name);
      return replace(state.policies, (p) => p.name, u.name);
    case "putRole":
      engine.putRole(u.doc);
      return replace(state.roles, (r) => r.name, u.doc.name, u.doc);
    case "deleteRole":
      engine.deleteRole(u.name);
      return replace(state.roles, (r) => r.name, u.name);
    case "putGrant":
      engine.putGrant(u.grant);
      return replace(state.grants, (g) => g.id, u.grant.id, u.grant);
    case "deleteGrant":
      engine.deleteGrant(u.id);
      return replace(state.grants, (g) => g.id, u.id);
    case "putUser":
      engine.putUser(u.user);
      return replace(state.users, (x) => x.id, u.user.id, u.user);
    case "deleteUser":
      engine.deleteUser(u.id);
      return replace(state.users, (x) => x.id, u.id);
    case "putToken":
      engine.putToken(u.token);
      return replace(state.tokens, (t) => t.id, u.token.id, u.token);
    case "deleteToken":
      engine.deleteToken(u.id);
      return replace(state.tokens, (t) => t.id, u.id);
  }
}

describe("incremental updates", () => {
  const grid = requestGrid();
  const now = () => NOW;

  it("give the same decisions as compiling the final state afresh", () => {
    fc.assert(
      fc.property(stateArb, fc.array(updateArb, { minLength: 1, maxLength: 12 }), (initial, updates) => {
        const state: PolicyState = structuredClone(initial);
        const engine = Engine.compile(structuredClone(initial), { now });
        // Decide once before the updates so that caches exist and must be invalidated.
        for (const r of grid) engine.check(r.principal, r.action, r.resource, r.context);
        for (const u of updates) apply(engine, state, u);
        const fresh = Engine.compile(state, { now });
        for (const r of grid) {
          const a = engine.check(r.principal, r.action, r.resource, r.context);
          const b = fresh.check(r.principal, r.action, r.resource, r.context);
          expect({ ...a, explanation: [] }, JSON.stringify({ r, updates })).to.deep.equal({ ...b, explanation: [] });
        }
        for (const id of USERS) expect(engine.rolesOf(id)).to.deep.equal(fresh.rolesOf(id));
      }),
      { numRuns: 100 },
    );
  });

  it("reach types registered after the policies that use '*'", () => {
    const engine = Engine.compile({
      types: [{ name: "job", capabilities: { read: "METADATA" } }],
      policies: [
        {
          name: "all",
          description: null,
          rules: [
            {
              effect: "ALLOW",
              resourceType: "*",
              namespace: "**",
              name: "*",
              labels: [],
              capabilities: null,
              level: "READ",
              requireMfa: false,
              sourceCidrs: [],
            },
          ],
        },
      ],
      roles: [
        {
          name: "r",
          description: null,
          policies: ["all"],
          inherits: [],
          options: { maxSessionTtlSeconds: null, requireSessionMfa: false },
          request: { roles: [], approvals: 1, denials: 1 },
          reviewRequests: { roles: [] },
          superuser: false,
        },
      ],
      grants: [
        {
          id: "g",
          role: "r",
          subject: { type: "USER", userId: "u" },
          scope: "",
          active: true,
          startsAt: null,
          expiresAt: null,
        },
      ],
      users: [{ id: "u", status: "ACTIVE", groups: [] }],
      tokens: [],
    });
    const ask = (type: string, action: string) =>
      engine.check(
        { kind: "user", userId: "u" },
        action,
        { type, namespace: "x", name: "y", labels: {} },
        { mfa: false, sourceIp: null },
      ).reason;
    expect(ask("queue", "read")).to.equal("NO_MATCHING_RULE");
    engine.putType({ name: "queue", capabilities: { read: "METADATA", purge: "ADMIN" } });
    expect(ask("queue", "read")).to.equal("ALLOWED");
    expect(ask("queue", "purge")).to.equal("NO_MATCHING_RULE");
    engine.putType({ name: "job", capabilities: { read: "METADATA", peek: "READ" } });
    expect(ask("job", "peek")).to.equal("ALLOWED");
  });

  it("never crash on references to missing policies, roles and users", () => {
    const engine = Engine.compile({ types: [], policies: [], roles: [], grants: [], users: [], tokens: [] });
    engine.putRole({
      name: "r",
      description: null,
      policies: ["missing"],
      inherits: ["also-missing"],
      options: { maxSessionTtlSeconds: null, requireSessionMfa: false },
      request: { roles: [], approvals: 1, denials: 1 },
      reviewRequests: { roles: [] },
      superuser: false,
    });
    engine.putGrant({
      id: "g",
      role: "ghost",
      subject: { type: "USER", userId: "nobody" },
      scope: "",
      active: true,
      startsAt: null,
      expiresAt: null,
    });
    engine.putToken({ id: "t", ownerId: "nobody", roles: ["r"], expiresAt: null, revokedAt: null });
    engine.deleteGrant("not-there");
    engine.deletePolicy("not-there");
    engine.deleteRole("not-there");
    engine.deleteUser("not-there");
    engine.deleteToken("not-there");
    const r = { type: "job", namespace: "", name: "", labels: {} };
    expect(engine.check({ kind: "user", userId: "nobody" }, "read", r, { mfa: false, sourceIp: null }).reason).to.equal(
      "NO_MATCHING_RULE",
    );
    expect(engine.check({ kind: "token", tokenId: "t" }, "read", r, { mfa: false, sourceIp: null }).reason).to.equal(
      "UNAUTHENTICATED",
    );
    expect(engine.whoCan("read", r, { mfa: false, sourceIp: null })).to.deep.equal([]);
  });
});
