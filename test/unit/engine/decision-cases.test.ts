// Runs the YAML decision cases in test/cases. Every case is decided three ways
// that must agree: by an engine compiled from the whole state, by one built up
// through incremental updates in a scrambled order, and (for users) by whoCan.

import { expect } from "chai";
import { Engine, type PolicyState } from "../../../src/engine";
import { loadCaseFiles, type DecisionCase } from "../../support/case-loader";

function builtIncrementally(state: PolicyState, now: () => Date): Engine {
  const engine = Engine.compile({ types: [], policies: [], roles: [], grants: [], users: [], tokens: [] }, { now });
  // References arrive before what they refer to: the engine must cope.
  for (const t of [...state.tokens].reverse()) engine.putToken(t);
  for (const g of [...state.grants].reverse()) engine.putGrant(g);
  for (const r of [...state.roles].reverse()) engine.putRole(r);
  for (const u of state.users) engine.putUser(u);
  for (const p of state.policies) engine.putPolicy(p);
  for (const t of state.types) engine.putType(t);
  return engine;
}

const files = loadCaseFiles();

describe("decision cases (test/cases)", () => {
  it("has at least 80 cases", () => {
    expect(files.reduce((n, f) => n + f.cases.length, 0)).to.be.at.least(80);
  });

  for (const file of files) {
    describe(`${file.description} (${file.file})`, () => {
      for (const c of file.cases) {
        it(c.name, () => {
          const now = () => c.now;
          const engine = Engine.compile(file.state, { now });
          const decision = engine.check(c.principal, c.action, c.resource, c.context);
          const label = `${JSON.stringify(c.principal)} ${c.action} ${JSON.stringify(c.resource)}: ${decision.explanation.join(" / ")}`;
          expect({ allowed: decision.allowed, reason: decision.reason }, label).to.deep.equal({
            allowed: c.expect.allowed,
            reason: c.expect.reason,
          });
          checkDecidedBy(c, decision.decidedBy);
          for (const text of c.expect.explanationIncludes ?? [])
            expect(decision.explanation.join("\n"), label).to.include(text);
          expect(decision.explanation, "explanation").to.have.length.above(0);

          const incremental = builtIncrementally(file.state, now).check(c.principal, c.action, c.resource, c.context);
          expect({ ...incremental, explanation: [] }, "incrementally built engine").to.deep.equal({
            ...decision,
            explanation: [],
          });

          if (c.principal.kind === "user") {
            const who = engine.whoCan(c.action, c.resource, c.context);
            expect(who.includes(c.principal.userId), "whoCan agrees").to.equal(decision.allowed);
          }
        });
      }
    });
  }
});

function checkDecidedBy(c: DecisionCase, actual: unknown): void {
  const want = c.expect.decidedBy;
  if (want === undefined) return;
  if (want === null) {
    expect(actual, "decidedBy").to.equal(null);
    return;
  }
  expect(actual, "decidedBy").to.not.equal(null);
  expect(actual, "decidedBy").to.include(want);
}
