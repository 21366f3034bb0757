import { expect } from "chai";
import fc from "fast-check";
import { Engine } from "../../../src/engine";
import type { Permission, PolicyState } from "../../../src/engine/types";
import { NOW, propertyParameters, stateArb, USER_IDS } from "../../support/arbitraries";
import { resolveUpdate, updateArb, type Update } from "../../support/arbitraries-updates";

const compile = (state: PolicyState): Engine => Engine.compile(structuredClone(state), { now: () => NOW });

/** One capability of one permission, with everything that tells permissions apart except provenance. */
const atoms = (permissions: Permission[]): Set<string> =>
  new Set(
    permissions.flatMap((p) =>
      p.capabilities.map((capability) =>
        JSON.stringify([
          p.scope,
          p.effect,
          p.resourceType,
          p.namespace,
          p.name,
          p.labels,
          p.requireMfa,
          p.sourceCidrs,
          capability,
        ]),
      ),
    ),
  );

const minus = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();

/** The kinds of change a bundle makes (types, policies, roles) and grant changes (SSO mappings recomputed). */
const BUNDLE_UPDATES = new Set<Update["kind"]>([
  "putType",
  "putPolicy",
  "deletePolicy",
  "putRole",
  "deleteRole",
  "putGrant",
  "deleteGrant",
]);

const caseArb = stateArb.chain((state) =>
  fc.record({
    state: fc.constant(state),
    updates: fc.array(
      updateArb(state.types).filter((u) => BUNDLE_UPDATES.has(u.kind)),
      { minLength: 1, maxLength: 6 },
    ),
  }),
);

describe("Engine.diffAccess", function () {
  this.timeout(120_000);

  it("reports per user exactly what a brute-force comparison of effective permissions before and after finds", () => {
    fc.assert(
      fc.property(caseArb, ({ state, updates }) => {
        let after = state;
        const hint = {
          policies: new Set<string>(),
          roles: new Set<string>(),
          types: false,
          extraUsers: [] as string[],
        };
        for (const raw of updates) {
          const resolved = resolveUpdate(after, raw);
          if (resolved === null) continue;
          after = resolved.state;
          const u = resolved.update;
          if (u.kind === "putType") hint.types = true;
          if (u.kind === "putPolicy") hint.policies.add(u.doc.name.toLowerCase());
          if (u.kind === "deletePolicy") hint.policies.add(u.name.toLowerCase());
          if (u.kind === "putRole") hint.roles.add(u.doc.name.toLowerCase());
          if (u.kind === "deleteRole") hint.roles.add(u.name.toLowerCase());
          // A grant changed: its user, or every member of its group, is named (as SSO recomputation names its users).
          if (u.kind === "putGrant" || u.kind === "deleteGrant") hint.extraUsers.push(...USER_IDS);
        }
        const before = compile(state);
        const next = compile(after);
        const diff = new Map(before.diffAccess(next, hint).map((d) => [d.userId, d]));
        for (const userId of USER_IDS) {
          const principal = { kind: "user" as const, userId };
          const was = atoms(before.effectivePermissions(principal));
          const now = atoms(next.effectivePermissions(principal));
          const mine = diff.get(userId);
          expect(mine === undefined ? [] : [...atoms(mine.gained)].sort(), `gained by ${userId}`).to.deep.equal(
            minus(now, was),
          );
          expect(mine === undefined ? [] : [...atoms(mine.lost)].sort(), `lost by ${userId}`).to.deep.equal(
            minus(was, now),
          );
        }
      }),
      propertyParameters(2_000),
    );
  });
});
