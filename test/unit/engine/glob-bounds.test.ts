// Glob comparison is bounded whatever the globs: the automata read character
// classes (the literals in play plus one class for everything else), each
// question and each escalation check has a work allowance, and past it the
// answer is the safe one. Figures are in work units, not time, so these tests
// say the same on any machine.
import { expect } from "chai";
import { Engine, GlobAutomaton, globContains, namespaceProblem } from "../../../src/engine";
import { WorkBudget } from "../../../src/engine/glob-automaton";
import { DEFAULT_TYPES } from "../../support/case-loader";
import { grant, policy, role, rules } from "../../support/case-builders";
import { NOW } from "../../support/case-random-state";

const cjk = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => String.fromCharCode(0x4e00 + from + i)).join("");
const contains = (outer: string, inner: string, budget: WorkBudget) =>
  GlobAutomaton.contains([GlobAutomaton.fromGlob(outer)], [GlobAutomaton.fromGlob(inner)], budget);

describe("glob comparison bounds", () => {
  it("reads distinct literals as classes: '*' contains 250 distinct CJK characters within 60,000 units", () => {
    const budget = new WorkBudget(60_000);
    expect(contains("*", `a${cjk(250)}`, budget)).to.equal(true);
    expect(budget.exhausted).to.equal(false);
  });

  it("finds a counterexample among distinct literals within 60,000 units", () => {
    const budget = new WorkBudget(60_000);
    expect(contains(`a${cjk(200)}`, `a${cjk(199)}?`, budget)).to.equal(false);
    expect(budget.exhausted).to.equal(false);
  });

  it("answers 'not contained' when the allowance runs out, never 'contained'", () => {
    // The subset construction of '*a' followed by 15 '?' has 2^16 states.
    const inner = `*a${"?".repeat(15)}${cjk(200)}`;
    const budget = new WorkBudget(10_000);
    expect(contains(`*a${"?".repeat(15)}*`, inner, budget)).to.equal(false);
    expect(budget.exhausted).to.equal(true);
  });

  it("a parent allowance bounds every question drawn from it", () => {
    const parent = new WorkBudget(15_000);
    const inner = `*a${"?".repeat(15)}b`;
    for (let i = 0; i < 5; i++) contains(`*${"?".repeat(i)}a*`, inner, new WorkBudget(10_000, parent));
    expect(parent.exhausted).to.equal(true);
    expect(contains("*", "abc", new WorkBudget(10_000, parent))).to.equal(false);
  });

  it("globContains keeps its exact answers for ordinary globs", () => {
    expect(globContains("prod/**", "prod/a/*")).to.equal(true);
    expect(globContains("prod/*", "prod/**")).to.equal(false);
  });

  it("an escalation check over adversarial globs ends, refusing, with the analysis limit in its explanation", () => {
    const wild = `*a${"?".repeat(15)}`;
    const actorRules = Array.from(
      { length: 8 },
      (_, i) => `  - resource: job\n    name: '*${"?".repeat(i)}a*${cjk(100, i * 100)}*'\n    level: ADMIN\n`,
    ).join("");
    const engine = Engine.compile(
      {
        types: DEFAULT_TYPES,
        policies: [policy("actor-policy", actorRules)],
        roles: [role("actor-role", { policies: ["actor-policy"] })],
        grants: [grant("g1", "actor-role", "actor")],
        users: [{ id: "actor", status: "ACTIVE", groups: [] }],
        tokens: [],
      },
      { now: () => NOW },
    );
    const target = Array.from(
      { length: 40 },
      (_, i) => `  - resource: job\n    name: '${wild}${cjk(200, i * 200)}'\n    level: READ\n`,
    ).join("");
    const result = engine.covers({ kind: "user", userId: "actor" }, rules(target), "");
    expect(result.covered).to.equal(false);
    expect(result.covered ? "" : result.explanation).to.include("analysis limit");
  });
});

describe("namespace paths", () => {
  for (const [path, problem] of [
    ["staging/../prod", "'.' or '..' segments"],
    ["./prod", "'.' or '..' segments"],
    ["prod/..", "'.' or '..' segments"],
    ["prod /x", "whitespace"],
    ["pr\u200bod", "invisible"],
    ["prod\u202e", "invisible"],
    ["prod/*", "not a glob"],
    ["prod//x", "empty segments"],
    ["/prod", "start or end"],
    ["x".repeat(256), "at most 255"],
  ] as const) {
    it(`refuses ${JSON.stringify(path)}`, () => expect(namespaceProblem(path)).to.include(problem));
  }
  for (const path of ["", "prod", "teams/payments/prod", "a.b/c..d", "...x"]) {
    it(`accepts ${JSON.stringify(path)}`, () => expect(namespaceProblem(path)).to.equal(null));
  }
});
