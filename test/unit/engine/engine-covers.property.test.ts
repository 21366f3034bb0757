import { expect } from "chai";
import fc from "fast-check";
import { Engine } from "../../../src/engine";
import type { PolicyState, Resource, RuleSpec } from "../../../src/engine/types";
import {
  NOW,
  propertyParameters,
  roleDoc,
  ruleArb,
  SCOPES,
  someOf,
  stateArb,
  weighted,
} from "../../support/arbitraries";
import { actionArb, ALL_CONTEXTS, principalArb, resourceArb } from "../../support/arbitraries-requests";
import { namespaceInScope, ReferenceEvaluator } from "../../support/reference-evaluator";

const compile = (state: PolicyState): Engine => Engine.compile(structuredClone(state), { now: () => NOW });

const TARGET = "covers-target";

/** The state plus the rules under test as one policy in one role, so the reference can evaluate them as a grant. */
function withTargetRole(state: PolicyState, rules: RuleSpec[]): PolicyState {
  return {
    ...state,
    policies: [...state.policies, { name: TARGET, description: null, rules }],
    roles: [...state.roles, roleDoc(TARGET, { policies: [TARGET] })],
  };
}

/** Moves a resource into `scope` when it lies outside, so every sample counts. */
const intoScope = (resource: Resource, scope: string): Resource =>
  namespaceInScope(resource.namespace, scope) ? resource : { ...resource, namespace: scope };

const coversCaseArb = stateArb.chain((state) =>
  fc.record({
    state: fc.constant(state),
    actor: principalArb,
    rules: fc.array(ruleArb(state.types), { minLength: 1, maxLength: 3 }),
    scope: fc.constantFrom(...SCOPES),
    samples: fc.array(fc.tuple(resourceArb(), actionArb), { minLength: 1, maxLength: 6 }),
  }),
);

/** A new role over the state's policies and roles: what coversRole is asked about before a role is created or granted. */
const coversRoleCaseArb = stateArb.chain((state) =>
  fc.record({
    state: fc.constant(state),
    actor: principalArb,
    role: fc
      .record({
        policies: someOf(
          state.policies.map((p) => p.name),
          2,
        ),
        inherits: someOf(
          state.roles.map((r) => r.name),
          2,
        ),
        requireSessionMfa: weighted([
          [false, 3],
          [true, 1],
        ]),
        superuser: weighted([
          [false, 20],
          [true, 1],
        ]),
      })
      .map((fields) => roleDoc(TARGET, fields)),
    scope: fc.constantFrom(...SCOPES),
    samples: fc.array(fc.tuple(resourceArb(), actionArb), { minLength: 1, maxLength: 6 }),
  }),
);

describe("Engine.covers", function () {
  this.timeout(120_000);

  it("never says covered when the rules, granted in the scope, would allow something the actor may not do", () => {
    let covered = 0;
    let runs = 0;
    let exercised = 0;
    fc.assert(
      fc.property(coversCaseArb, ({ state, actor, rules, scope, samples }) => {
        runs++;
        const engine = compile(state);
        const result = engine.covers(actor, structuredClone(rules), scope);
        if (!result.covered) return;
        covered++;
        const target = new ReferenceEvaluator(withTargetRole(state, rules), NOW);
        for (const [sample, action] of samples) {
          const resource = intoScope(sample, scope);
          for (const context of ALL_CONTEXTS) {
            if (!target.decideBindings([{ role: TARGET, scope }], action, resource, context).allowed) continue;
            exercised++;
            const decision = engine.check(actor, action, resource, context);
            expect(
              decision.allowed,
              `covered, but the rules allow ${action} on ${JSON.stringify(resource)} with ${JSON.stringify(context)} ` +
                `and the actor ${JSON.stringify(actor)} is refused (${decision.reason})`,
            ).to.equal(true);
          }
        }
      }),
      propertyParameters(),
    );
    console.log(
      `      covered in ${covered} of ${runs} runs; ${exercised} allowed (resource, action, context) samples checked`,
    );
    expect(covered / runs, "share of runs where covers() says covered").to.be.above(0.05);
  });
});

describe("Engine.coversRole", function () {
  this.timeout(120_000);

  it("never says covered when the role, granted in the scope, would allow something the actor may not do", () => {
    let covered = 0;
    let runs = 0;
    fc.assert(
      fc.property(coversRoleCaseArb, ({ state, actor, role, scope, samples }) => {
        runs++;
        const engine = compile(state);
        if (!engine.coversRole(actor, structuredClone(role), scope).covered) return;
        covered++;
        const target = new ReferenceEvaluator({ ...state, roles: [...state.roles, role] }, NOW);
        for (const [sample, action] of samples) {
          const resource = intoScope(sample, scope);
          for (const context of ALL_CONTEXTS) {
            if (!target.decideBindings([{ role: TARGET, scope }], action, resource, context).allowed) continue;
            const decision = engine.check(actor, action, resource, context);
            expect(
              decision.allowed,
              `covered, but role ${JSON.stringify(role)} allows ${action} on ${JSON.stringify(resource)} with ` +
                `${JSON.stringify(context)} and the actor ${JSON.stringify(actor)} is refused (${decision.reason})`,
            ).to.equal(true);
          }
        }
      }),
      propertyParameters(),
    );
    console.log(`      coversRole: covered in ${covered} of ${runs} runs`);
    expect(covered / runs, "share of runs where coversRole() says covered").to.be.above(0.05);
  });
});
