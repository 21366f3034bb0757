import { expect } from "chai";
import fc from "fast-check";
import { Engine } from "../../../src/engine";
import type { DecisionReason, PolicyState } from "../../../src/engine/types";
import { NOW, propertyParameters, stateArb } from "../../support/arbitraries";
import { requestArb } from "../../support/arbitraries-requests";
import { ReferenceEvaluator } from "../../support/reference-evaluator";

const compile = (state: PolicyState): Engine => Engine.compile(structuredClone(state), { now: () => NOW });

const ALL_REASONS: DecisionReason[] = [
  "ALLOWED",
  "SUPERUSER",
  "NO_MATCHING_RULE",
  "EXPLICIT_DENY",
  "MFA_REQUIRED",
  "SOURCE_NOT_ALLOWED",
  "USER_LOCKED",
  "TOKEN_SCOPE",
  "UNAUTHENTICATED",
];

describe("Engine.check", function () {
  this.timeout(120_000);

  it("agrees with the reference evaluator on random policy sets", () => {
    fc.assert(
      fc.property(stateArb, fc.array(requestArb, { minLength: 1, maxLength: 6 }), (state, requests) => {
        const engine = compile(state);
        const reference = new ReferenceEvaluator(state, NOW);
        for (const { principal, action, resource, context } of requests) {
          const decision = engine.check(principal, action, resource, context);
          const expected = reference.check(principal, action, resource, context);
          expect(
            `${decision.allowed} ${decision.reason}`,
            `${JSON.stringify(principal)} ${action} ${JSON.stringify(resource)} ${JSON.stringify(context)}`,
          ).to.equal(`${expected.allowed} ${expected.reason}`);
        }
        for (const user of state.users) {
          expect(engine.rolesOf(user.id), `rolesOf ${user.id}`).to.deep.equal(reference.rolesOf(user.id));
        }
      }),
      propertyParameters(),
    );
  });

  it("meets every decision reason often enough on random requests for the comparison to mean something", () => {
    const samples = fc.sample(fc.tuple(stateArb, requestArb), { numRuns: 20_000, seed: 20250601 });
    const counts = new Map<DecisionReason, number>(ALL_REASONS.map((r) => [r, 0]));
    for (const [state, { principal, action, resource, context }] of samples) {
      const { reason } = new ReferenceEvaluator(state, NOW).check(principal, action, resource, context);
      counts.set(reason, counts.get(reason)! + 1);
    }
    const share = (reason: DecisionReason): number => counts.get(reason)! / samples.length;
    console.log(`      decision reasons over ${samples.length} random checks:`);
    for (const reason of ALL_REASONS)
      console.log(`        ${reason.padEnd(18)} ${(100 * share(reason)).toFixed(1).padStart(5)} %`);
    expect(share("ALLOWED") + share("SUPERUSER"), "allowed").to.be.above(0.15);
    expect(share("NO_MATCHING_RULE"), "default deny").to.be.below(0.55);
    for (const reason of ALL_REASONS) expect(share(reason), reason).to.be.above(0.002);
  });
});
