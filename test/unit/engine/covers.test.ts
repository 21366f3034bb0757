import { expect } from "chai";
import fc from "fast-check";
import { Engine, type CoverResult, type PolicyState, type RuleSpec } from "../../../src/engine";
import { DEFAULT_TYPES } from "../../support/case-loader";
import { grant, policy, role, rules } from "../../support/case-builders";
import { ACTIONS, CONTEXTS, NAMES, NAMESPACES, NOW, stateArb, TYPES, USERS } from "../../support/case-random-state";

/** An engine where user `actor` holds one role made of the given rules (YAML `rules:` body). */
function actorWith(
  rulesYaml: string,
  extra: Partial<{ scope: string; expiresAt: Date | null; requireSessionMfa: boolean }> = {},
): Engine {
  return Engine.compile(
    {
      types: DEFAULT_TYPES,
      policies: [policy("actor-policy", rulesYaml)],
      roles: [
        role("actor-role", { policies: ["actor-policy"], requireSessionMfa: extra.requireSessionMfa ?? false }),
        role("root", { superuser: true }),
      ],
      grants: [grant("g1", "actor-role", "actor", { scope: extra.scope ?? "", expiresAt: extra.expiresAt ?? null })],
      users: [
        { id: "actor", status: "ACTIVE", groups: [] },
        { id: "boss", status: "ACTIVE", groups: [] },
      ],
      tokens: [{ id: "t-narrow", ownerId: "actor", roles: ["root"], expiresAt: null, revokedAt: null }],
    },
    { now: () => NOW },
  );
}

const ACTOR = { kind: "user" as const, userId: "actor" };
const covered = (r: CoverResult) => r.covered;
const missing = (r: CoverResult) => (r.covered ? null : r.missing);

describe("covers", () => {
  it("accepts a target inside a wider namespace glob (prod/** covers prod/a/*)", () => {
    const e = actorWith("  - resource: job\n    namespace: 'prod/**'\n    level: ADMIN\n");
    expect(
      covered(
        e.covers(ACTOR, rules("  - resource: job\n    namespace: 'prod/a/*'\n    capabilities: [read, submit]\n"), ""),
      ),
    ).to.equal(true);
  });

  it("refuses a target wider than the actor's glob (prod/* does not cover prod/**)", () => {
    const e = actorWith("  - resource: job\n    namespace: 'prod/*'\n    level: ADMIN\n");
    const r = e.covers(ACTOR, rules("  - resource: job\n    namespace: 'prod/**'\n    capabilities: [read]\n"), "");
    expect(missing(r)).to.equal("job:read");
    expect(r.covered ? "" : r.explanation).to.include("rules[0]");
  });

  it("names the first capability not covered", () => {
    const e = actorWith("  - resource: job\n    level: OPERATE\n");
    expect(
      missing(
        e.covers(
          ACTOR,
          rules("  - resource: job\n    capabilities: [read]\n  - resource: secret\n    level: READ\n"),
          "",
        ),
      ),
    ).to.equal("secret:list");
    expect(missing(e.covers(ACTOR, rules("  - resource: job\n    level: ADMIN\n"), ""))).to.equal("job:submit");
    expect(covered(e.covers(ACTOR, rules("  - resource: job\n    capabilities: [restart, logs]\n"), ""))).to.equal(
      true,
    );
  });

  it("refuses when a deny of the actor overlaps what the target would allow", () => {
    const e = actorWith(
      "  - resource: job\n    level: OWNER\n  - resource: job\n    namespace: 'prod/secure/**'\n    capabilities: [exec]\n    effect: deny\n",
    );
    const r = e.covers(ACTOR, rules("  - resource: job\n    namespace: 'prod/**'\n    capabilities: [exec]\n"), "");
    expect(missing(r)).to.equal("job:exec");
    expect(r.covered ? "" : r.explanation).to.include("denied");
    expect(
      covered(
        e.covers(ACTOR, rules("  - resource: job\n    namespace: 'prod/open/**'\n    capabilities: [exec]\n"), ""),
      ),
    ).to.equal(true);
  });

  it("ignores the target's own deny rules (they only take away)", () => {
    const e = actorWith("  - resource: job\n    capabilities: [read]\n");
    expect(
      covered(
        e.covers(
          ACTOR,
          rules("  - resource: job\n    capabilities: [read]\n  - resource: secret\n    capabilities: []\n"),
          "",
        ),
      ),
    ).to.equal(true);
  });

  it("needs nothing covered that the target's own deny takes away everywhere the allow reaches", () => {
    // The viewer pattern: READ on every type, but never secrets.
    const e = actorWith("  - resource: '*'\n    level: READ\n  - resource: secret\n    capabilities: []\n");
    const viewerLike = rules("  - resource: '*'\n    level: READ\n  - resource: secret\n    capabilities: []\n");
    expect(covered(e.covers(ACTOR, viewerLike, ""))).to.equal(true);
    const narrowDeny = rules(
      "  - resource: '*'\n    level: READ\n  - resource: secret\n    namespace: prod\n    capabilities: []\n",
    );
    expect(missing(e.covers(ACTOR, narrowDeny, ""))).to.equal("secret:list");
  });

  it("does not let a target deny with label selectors, or on other capabilities, excuse an allow", () => {
    const e = actorWith("  - resource: job\n    capabilities: [read]\n");
    const labelled = rules(
      "  - resource: job\n    capabilities: [read, submit]\n  - resource: job\n    labels: { team: [core] }\n    capabilities: [submit]\n    effect: deny\n",
    );
    expect(missing(e.covers(ACTOR, labelled, ""))).to.equal("job:submit");
    const otherCapability = rules(
      "  - resource: job\n    capabilities: [read, submit]\n  - resource: job\n    capabilities: [delete]\n    effect: deny\n",
    );
    expect(missing(e.covers(ACTOR, otherCapability, ""))).to.equal("job:submit");
    const shadowed = rules(
      "  - resource: job\n    capabilities: [read, submit]\n  - resource: job\n    capabilities: [submit]\n    effect: deny\n",
    );
    expect(covered(e.covers(ACTOR, shadowed, ""))).to.equal(true);
  });

  it("compares the actor's grant scope with the target scope", () => {
    const e = actorWith("  - resource: job\n    level: ADMIN\n", { scope: "prod" });
    const target = rules("  - resource: job\n    capabilities: [submit]\n");
    expect(covered(e.covers(ACTOR, target, "prod/payments"))).to.equal(true);
    expect(covered(e.covers(ACTOR, target, "prod"))).to.equal(true);
    expect(missing(e.covers(ACTOR, target, ""))).to.equal("job:submit");
    expect(missing(e.covers(ACTOR, target, "production"))).to.equal("job:submit");
  });

  it("lets a target namespace inside the actor's scope be covered even at a wider target scope", () => {
    const e = actorWith("  - resource: job\n    level: ADMIN\n", { scope: "prod" });
    expect(
      covered(
        e.covers(ACTOR, rules("  - resource: job\n    namespace: 'prod/x/**'\n    capabilities: [submit]\n"), ""),
      ),
    ).to.equal(true);
  });

  it("treats label selectors: fewer keys and wider values cover more", () => {
    const e = actorWith("  - resource: job\n    labels: { team: 'pay*' }\n    level: ADMIN\n");
    expect(
      covered(
        e.covers(
          ACTOR,
          rules("  - resource: job\n    labels: { team: payments, env: prod }\n    capabilities: [read]\n"),
          "",
        ),
      ),
    ).to.equal(true);
    expect(missing(e.covers(ACTOR, rules("  - resource: job\n    capabilities: [read]\n"), ""))).to.equal("job:read");
    expect(
      missing(
        e.covers(
          ACTOR,
          rules("  - resource: job\n    labels: { team: [payments, core] }\n    capabilities: [read]\n"),
          "",
        ),
      ),
    ).to.equal("job:read");
  });

  it("requires the target to carry at least the actor's conditions", () => {
    const mfa = actorWith("  - resource: job\n    level: ADMIN\n    when: { mfa: true }\n");
    expect(missing(mfa.covers(ACTOR, rules("  - resource: job\n    capabilities: [read]\n"), ""))).to.equal("job:read");
    expect(
      covered(mfa.covers(ACTOR, rules("  - resource: job\n    capabilities: [read]\n    when: { mfa: true }\n"), "")),
    ).to.equal(true);
    const net = actorWith("  - resource: job\n    level: ADMIN\n    when: { sourceCidrs: [10.0.0.0/8] }\n");
    expect(
      covered(
        net.covers(
          ACTOR,
          rules("  - resource: job\n    capabilities: [read]\n    when: { sourceCidrs: [10.1.0.0/16] }\n"),
          "",
        ),
      ),
    ).to.equal(true);
    expect(
      missing(
        net.covers(
          ACTOR,
          rules("  - resource: job\n    capabilities: [read]\n    when: { sourceCidrs: [192.168.0.0/16] }\n"),
          "",
        ),
      ),
    ).to.equal("job:read");
    expect(missing(net.covers(ACTOR, rules("  - resource: job\n    capabilities: [read]\n"), ""))).to.equal("job:read");
  });

  it("counts only grants that are valid now", () => {
    const e = actorWith("  - resource: job\n    level: ADMIN\n", { expiresAt: new Date(NOW.getTime() - 1000) });
    expect(missing(e.covers(ACTOR, rules("  - resource: job\n    capabilities: [read]\n"), ""))).to.equal("job:read");
  });

  it("needs '*' or every infrastructure type for a '*' target", () => {
    const jobOnly = actorWith("  - resource: job\n    level: OWNER\n");
    expect(missing(jobOnly.covers(ACTOR, rules("  - resource: '*'\n    level: METADATA\n"), ""))).to.equal(
      "alloc:list",
    );
    const star = actorWith("  - resource: '*'\n    level: READ\n");
    expect(covered(star.covers(ACTOR, rules("  - resource: '*'\n    level: METADATA\n"), ""))).to.equal(true);
    expect(missing(star.covers(ACTOR, rules("  - resource: user\n    capabilities: [list]\n"), ""))).to.equal(
      "user:list",
    );
  });

  it("lets a superuser cover everything", () => {
    const e = Engine.compile(
      {
        types: DEFAULT_TYPES,
        policies: [],
        roles: [role("root", { superuser: true })],
        grants: [grant("g", "root", "boss")],
        users: [{ id: "boss", status: "ACTIVE", groups: [] }],
        tokens: [],
      },
      { now: () => NOW },
    );
    expect(
      covered(
        e.covers(
          { kind: "user", userId: "boss" },
          rules("  - resource: '*'\n    capabilities: ['*']\n  - resource: role\n    level: OWNER\n"),
          "",
        ),
      ),
    ).to.equal(true);
    expect(
      covered(e.coversRole({ kind: "user", userId: "boss" }, role("other-root", { superuser: true }), "")),
    ).to.equal(true);
  });

  it("lets a superuser role be given out only by a superuser", () => {
    const e = actorWith("  - resource: '*'\n    capabilities: ['*']\n");
    const r = e.coversRole(ACTOR, role("root2", { superuser: true }), "");
    expect(r.covered).to.equal(false);
    expect(missing(r)).to.equal("*:*");
    expect(e.coversRole(ACTOR, role("child", { inherits: ["root"] }), "").covered).to.equal(false);
  });

  it("checks a role's whole rule set, inherited roles and requireSessionMfa included", () => {
    const state: PolicyState = {
      types: DEFAULT_TYPES,
      policies: [
        policy("mine", "  - resource: job\n    level: OPERATE\n    when: { mfa: true }\n"),
        policy("small", "  - resource: job\n    capabilities: [read]\n"),
        policy("big", "  - resource: job\n    capabilities: [submit]\n"),
      ],
      roles: [
        role("actor-role", { policies: ["mine"] }),
        role("small-role", { policies: ["small"] }),
        role("big-role", { policies: ["big"] }),
      ],
      grants: [grant("g1", "actor-role", "actor")],
      users: [{ id: "actor", status: "ACTIVE", groups: [] }],
      tokens: [],
    };
    const e = Engine.compile(state, { now: () => NOW });
    expect(e.coversRole(ACTOR, role("x", { inherits: ["small-role"], requireSessionMfa: true }), "").covered).to.equal(
      true,
    );
    expect(missing(e.coversRole(ACTOR, role("x", { inherits: ["small-role"] }), ""))).to.equal("job:read");
    expect(
      missing(e.coversRole(ACTOR, role("x", { inherits: ["small-role", "big-role"], requireSessionMfa: true }), "")),
    ).to.equal("job:submit");
    expect(e.roleRules(role("x", { inherits: ["small-role"], requireSessionMfa: true }))).to.deep.equal([
      { ...state.policies[1].rules[0], requireMfa: true },
    ] as RuleSpec[]);
  });

  it("limits a token actor to its roles", () => {
    const e = Engine.compile(
      {
        types: DEFAULT_TYPES,
        policies: [
          policy("read", "  - resource: job\n    capabilities: [read]\n"),
          policy("write", "  - resource: secret\n    level: ADMIN\n"),
        ],
        roles: [role("reader", { policies: ["read"] }), role("writer", { policies: ["write"] })],
        grants: [grant("g1", "reader", "actor"), grant("g2", "writer", "actor")],
        users: [{ id: "actor", status: "ACTIVE", groups: [] }],
        tokens: [{ id: "t", ownerId: "actor", roles: ["reader"], expiresAt: null, revokedAt: null }],
      },
      { now: () => NOW },
    );
    const target = rules("  - resource: secret\n    capabilities: [write]\n");
    expect(covered(e.covers(ACTOR, target, ""))).to.equal(true);
    expect(missing(e.covers({ kind: "token", tokenId: "t" }, target, ""))).to.equal("secret:write");
  });

  it("never says covered when the target, granted in the scope, would allow something the actor may not do", () => {
    const resources = NAMESPACES.flatMap((namespace) =>
      TYPES.flatMap((type) => NAMES.map((name) => ({ type, namespace, name }))),
    );
    fc.assert(
      fc.property(
        stateArb,
        fc.constantFrom(...USERS),
        fc.constantFrom("p0", "p1", "p2"),
        fc.constantFrom("", "prod", "prod/a", "dev"),
        (state, actor, targetPolicy, scope) => {
          const engine = Engine.compile(state, { now: () => NOW });
          const target = state.policies.find((p) => p.name === targetPolicy)!.rules;
          if (!engine.covers({ kind: "user", userId: actor }, target, scope).covered) return;
          // Decide the target as a role held by a fresh user in `scope`.
          const probe = Engine.compile(
            {
              ...state,
              roles: [...state.roles, role("target-role", { policies: [targetPolicy] })],
              grants: [grant("probe-grant", "target-role", "probe", { scope })],
              users: [...state.users, { id: "probe", status: "ACTIVE", groups: [] }],
            },
            { now: () => NOW },
          );
          for (const r of resources) {
            for (const labels of [{}, { team: "pay" }] as Array<Record<string, string>>) {
              for (const action of ACTIONS) {
                for (const context of CONTEXTS) {
                  const resource = { ...r, labels };
                  if (!probe.check({ kind: "user", userId: "probe" }, action, resource, context).allowed) continue;
                  const actorDecision = engine.check({ kind: "user", userId: actor }, action, resource, context);
                  expect(
                    actorDecision.allowed,
                    `${action} ${JSON.stringify(resource)} ${JSON.stringify(context)}`,
                  ).to.equal(true);
                }
              }
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
