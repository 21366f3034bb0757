// How a compiled policy groups its literal rules and filters them by (type,
// capability): groups whose hashes collide stay apart, and the filters follow
// types registered after the policies that use them.
import { expect } from "chai";
import { Engine, type DecisionReason, type PolicyState, type RuleSpec } from "../../../src/engine";
import { roleDoc } from "../../support/role-doc";

const rule = (over: Partial<RuleSpec>): RuleSpec => ({
  effect: "ALLOW",
  resourceType: "job",
  namespace: "x",
  name: "y",
  labels: [],
  capabilities: ["read"],
  level: null,
  requireMfa: false,
  sourceCidrs: [],
  ...over,
});

function stateWith(rules: RuleSpec[]): PolicyState {
  return {
    types: [{ name: "job", capabilities: { read: "METADATA", write: "ADMIN" } }],
    policies: [{ name: "p", description: null, rules }],
    roles: [roleDoc("r", { policies: ["p"] })],
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
  };
}

const ask = (engine: Engine, type: string, action: string, namespace: string, name: string): DecisionReason =>
  engine.check(
    { kind: "user", userId: "u" },
    action,
    { type, namespace, name, labels: {} },
    { mfa: false, sourceIp: null },
  ).reason;

describe("rule grouping and pair filters", () => {
  it("keep two groups whose hashes collide apart, so a deny in either is seen", () => {
    // (team37, svc-926) and (team66, svc-674) have the same group hash: the
    // numeric sort alone would interleave their rules.
    const a = { namespace: "team37", name: "svc-926" };
    const b = { namespace: "team66", name: "svc-674" };
    const engine = Engine.compile(
      stateWith([
        rule({ ...a, capabilities: ["write"] }),
        rule({ ...b, capabilities: ["read"] }),
        rule({ ...a, effect: "DENY", capabilities: ["write"] }),
        rule({ ...b, effect: "DENY", capabilities: ["read"] }),
        rule({ ...a, capabilities: ["read"] }),
        rule({ ...b, capabilities: ["write"] }),
      ]),
    );
    expect(ask(engine, "job", "write", a.namespace, a.name)).to.equal("EXPLICIT_DENY");
    expect(ask(engine, "job", "read", a.namespace, a.name)).to.equal("ALLOWED");
    expect(ask(engine, "job", "read", b.namespace, b.name)).to.equal("EXPLICIT_DENY");
    expect(ask(engine, "job", "write", b.namespace, b.name)).to.equal("ALLOWED");
    expect(ask(engine, "job", "read", a.namespace, b.name)).to.equal("NO_MATCHING_RULE");
  });

  it("let a literal '*' rule reach a type registered after it, once the user has been checked before", () => {
    const engine = Engine.compile(stateWith([rule({ resourceType: "*", capabilities: null, level: "READ" })]));
    expect(ask(engine, "job", "read", "x", "y")).to.equal("ALLOWED");
    expect(ask(engine, "queue", "peek", "x", "y")).to.equal("NO_MATCHING_RULE");
    engine.putType({ name: "queue", capabilities: { peek: "READ", purge: "ADMIN" } });
    expect(ask(engine, "queue", "peek", "x", "y")).to.equal("ALLOWED");
    expect(ask(engine, "queue", "purge", "x", "y")).to.equal("NO_MATCHING_RULE");
    expect(ask(engine, "queue", "peek", "x", "z")).to.equal("NO_MATCHING_RULE");
  });

  it("let a capability added to a type reach a level rule written before it", () => {
    const engine = Engine.compile(
      stateWith([rule({ namespace: "x*", name: "*", capabilities: null, level: "READ" }), rule({})]),
    );
    expect(ask(engine, "job", "logs", "xa", "y")).to.equal("NO_MATCHING_RULE");
    engine.putType({ name: "job", capabilities: { read: "METADATA", write: "ADMIN", logs: "READ" } });
    expect(ask(engine, "job", "logs", "xa", "y")).to.equal("ALLOWED");
    expect(ask(engine, "job", "write", "xa", "y")).to.equal("NO_MATCHING_RULE");
  });
});
