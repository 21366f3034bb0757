import { expect } from "chai";
import fc from "fast-check";
import { Engine } from "../../../src/engine";
import type { PolicyState } from "../../../src/engine/types";
import { NOW, propertyParameters, stateArb } from "../../support/arbitraries";
import { actionArb, contextArb, resourceArb } from "../../support/arbitraries-requests";

const compile = (state: PolicyState): Engine => Engine.compile(structuredClone(state), { now: () => NOW });

describe("Engine.whoCan", function () {
  this.timeout(120_000);

  it("names exactly the users whom check allows, sorted", () => {
    let nonEmpty = 0;
    fc.assert(
      fc.property(
        stateArb,
        fc.array(fc.tuple(actionArb, resourceArb(), contextArb), { minLength: 1, maxLength: 4 }),
        (state, questions) => {
          const engine = compile(state);
          for (const [action, resource, context] of questions) {
            const expected = state.users
              .filter((u) => engine.check({ kind: "user", userId: u.id }, action, resource, context).allowed)
              .map((u) => u.id)
              .sort();
            if (expected.length > 0) nonEmpty++;
            expect(
              engine.whoCan(action, resource, context),
              `${action} ${JSON.stringify(resource)} ${JSON.stringify(context)}`,
            ).to.deep.equal(expected);
          }
        },
      ),
      propertyParameters(),
    );
    expect(nonEmpty, "questions some user may do").to.be.above(1000);
  });
});
