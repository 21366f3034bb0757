import { expect } from "chai";
import fc from "fast-check";
import { Engine } from "../../../src/engine";
import { ACTIONS, CONTEXTS, NAMESPACES, NAMES, NOW, stateArb, TYPES } from "../../support/case-random-state";

describe("whoCan", () => {
  it("names exactly the users whom check allows, sorted, on random small states", () => {
    fc.assert(
      fc.property(
        stateArb,
        fc.constantFrom(...ACTIONS),
        fc.constantFrom(...TYPES),
        fc.constantFrom(...NAMESPACES),
        fc.constantFrom(...NAMES),
        fc.constantFrom<Record<string, string>>({}, { team: "pay" }),
        fc.constantFrom(...CONTEXTS),
        (state, action, type, namespace, name, labels, context) => {
          const engine = Engine.compile(state, { now: () => NOW });
          const resource = { type, namespace, name, labels };
          const brute = state.users
            .map((u) => u.id)
            .filter((id) => engine.check({ kind: "user", userId: id }, action, resource, context).allowed)
            .sort();
          expect(engine.whoCan(action, resource, context)).to.deep.equal(brute);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("follows group membership and grant scope", () => {
    const role = (name: string, superuser = false) => ({
      name,
      description: null,
      policies: superuser ? [] : ["read"],
      inherits: [],
      superuser,
      options: { maxSessionTtlSeconds: null, requireSessionMfa: false },
      request: { roles: [], approvals: 1, denials: 1 },
      reviewRequests: { roles: [] },
    });
    const engine = Engine.compile({
      types: [{ name: "job", capabilities: { read: "METADATA" } }],
      policies: [
        {
          name: "read",
          description: null,
          rules: [
            {
              effect: "ALLOW",
              resourceType: "job",
              namespace: "**",
              name: "*",
              labels: [],
              capabilities: ["read"],
              level: null,
              requireMfa: false,
              sourceCidrs: [],
            },
          ],
        },
      ],
      roles: [role("reader"), role("root", true)],
      grants: [
        {
          id: "g1",
          role: "reader",
          subject: { type: "GROUP", group: "eng" },
          scope: "prod",
          active: true,
          startsAt: null,
          expiresAt: null,
        },
        {
          id: "g2",
          role: "root",
          subject: { type: "USER", userId: "zed" },
          scope: "",
          active: true,
          startsAt: null,
          expiresAt: null,
        },
      ],
      users: [
        { id: "bob", status: "ACTIVE", groups: ["eng"] },
        { id: "amy", status: "ACTIVE", groups: ["eng"] },
        { id: "cat", status: "ACTIVE", groups: ["ops"] },
        { id: "dan", status: "LOCKED", groups: ["eng"] },
        { id: "zed", status: "ACTIVE", groups: [] },
      ],
      tokens: [],
    });
    const ctx = { mfa: false, sourceIp: null };
    expect(engine.whoCan("read", { type: "job", namespace: "prod/x", name: "a", labels: {} }, ctx)).to.deep.equal([
      "amy",
      "bob",
      "zed",
    ]);
    expect(engine.whoCan("read", { type: "job", namespace: "dev", name: "a", labels: {} }, ctx)).to.deep.equal(["zed"]);
  });
});
