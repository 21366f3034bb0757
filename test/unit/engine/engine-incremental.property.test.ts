import { expect } from "chai";
import fc from "fast-check";
import { Engine } from "../../../src/engine";
import type { PolicyState } from "../../../src/engine/types";
import { NOW, propertyParameters, stateArb, USER_IDS } from "../../support/arbitraries";
import { requestArb } from "../../support/arbitraries-requests";
import { resolveUpdate, updateArb, type Update } from "../../support/arbitraries-updates";

const compile = (state: PolicyState): Engine => Engine.compile(structuredClone(state), { now: () => NOW });

/** Sends one update to the engine, each argument a fresh copy so the engine shares nothing with the test. */
function send(engine: Engine, update: Update): void {
  const u = structuredClone(update);
  switch (u.kind) {
    case "putType":
      return engine.putType(u.def);
    case "putPolicy":
      return engine.putPolicy(u.doc);
    case "deletePolicy":
      return engine.deletePolicy(u.name);
    case "putRole":
      return engine.putRole(u.doc);
    case "deleteRole":
      return engine.deleteRole(u.name);
    case "putGrant":
      return engine.putGrant(u.grant);
    case "deleteGrant":
      return engine.deleteGrant(u.id);
    case "putUser":
      return engine.putUser(u.user);
    case "deleteUser":
      return engine.deleteUser(u.id);
    case "putToken":
      return engine.putToken(u.token);
    case "deleteToken":
      return engine.deleteToken(u.id);
  }
}

const incrementalCaseArb = stateArb.chain((state) =>
  fc.record({
    state: fc.constant(state),
    updates: fc.array(updateArb(state.types), { minLength: 1, maxLength: 8 }),
    requests: fc.array(requestArb, { minLength: 1, maxLength: 6 }),
  }),
);

describe("Engine incremental updates", function () {
  this.timeout(120_000);

  it("decide like an engine compiled from scratch on the final state", () => {
    let applied = 0;
    fc.assert(
      fc.property(incrementalCaseArb, ({ state, updates, requests }) => {
        const engine = compile(state);
        let current = state;
        const log: string[] = [];
        for (const raw of updates) {
          const resolved = resolveUpdate(current, raw);
          if (resolved === null) continue;
          send(engine, resolved.update);
          current = resolved.state;
          log.push(resolved.update.kind);
          applied++;
        }
        const fresh = compile(current);
        const after = `after ${log.join(", ") || "no updates"}`;
        for (const { principal, action, resource, context } of requests) {
          const a = engine.check(principal, action, resource, context);
          const b = fresh.check(principal, action, resource, context);
          expect(
            `${a.allowed} ${a.reason}`,
            `${after}: ${JSON.stringify(principal)} ${action} ${JSON.stringify(resource)} ${JSON.stringify(context)}`,
          ).to.equal(`${b.allowed} ${b.reason}`);
          expect(
            engine.whoCan(action, resource, context),
            `${after}: whoCan ${action} ${JSON.stringify(resource)}`,
          ).to.deep.equal(fresh.whoCan(action, resource, context));
        }
        for (const userId of USER_IDS) {
          expect(engine.rolesOf(userId), `${after}: rolesOf ${userId}`).to.deep.equal(fresh.rolesOf(userId));
        }
      }),
      propertyParameters(),
    );
    expect(applied, "updates applied").to.be.above(20_000);
  });
});
