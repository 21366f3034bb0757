import { expect } from "chai";
import fc from "fast-check";
import { Engine } from "../../../src/engine";
import type { PolicyState } from "../../../src/engine/types";
import { NOW, propertyParameters, stateArb } from "../../support/arbitraries";
import { requestArb } from "../../support/arbitraries-requests";
import { shuffleState } from "../../support/arbitraries-shuffle";

const compile = (state: PolicyState): Engine => Engine.compile(structuredClone(state), { now: () => NOW });

describe("Engine.check", function () {
  this.timeout(120_000);

  it("decides the same whatever the order of rules, policies, roles, grants, users and tokens", () => {
    fc.assert(
      fc.property(
        stateArb,
        fc.integer(),
        fc.array(requestArb, { minLength: 1, maxLength: 6 }),
        (state, seed, requests) => {
          const original = compile(state);
          const permuted = compile(shuffleState(state, seed));
          for (const { principal, action, resource, context } of requests) {
            const a = original.check(principal, action, resource, context);
            const b = permuted.check(principal, action, resource, context);
            expect(
              `${b.allowed} ${b.reason}`,
              `${JSON.stringify(principal)} ${action} ${JSON.stringify(resource)} ${JSON.stringify(context)}`,
            ).to.equal(`${a.allowed} ${a.reason}`);
          }
        },
      ),
      propertyParameters(),
    );
  });
});
