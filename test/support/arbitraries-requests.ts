// fast-check arbitraries for decision requests against states from arbitraries.ts.
// Ids come from the same small pools, plus the odd unknown id.
import fc from "fast-check";
import type { DecisionContext, Principal, Resource } from "../../src/engine/types";
import { ACTIONS, NAMES, NAMESPACES, SOURCE_IPS, SYSTEM_TYPE, TOKEN_IDS, USER_IDS, weighted } from "./arbitraries";

export interface Request {
  principal: Principal;
  action: string;
  resource: Resource;
  context: DecisionContext;
}

export const userPrincipalArb: fc.Arbitrary<Principal> = fc
  .constantFrom(...USER_IDS, ...USER_IDS, ...USER_IDS, ...USER_IDS, "u-unknown")
  .map((userId) => ({ kind: "user" as const, userId }));

export const tokenPrincipalArb: fc.Arbitrary<Principal> = fc
  .constantFrom(...TOKEN_IDS, ...TOKEN_IDS, ...TOKEN_IDS, "t-unknown")
  .map((tokenId) => ({ kind: "token" as const, tokenId }));

export const principalArb: fc.Arbitrary<Principal> = fc.oneof(
  { weight: 2, arbitrary: userPrincipalArb },
  { weight: 1, arbitrary: tokenPrincipalArb },
);

const labelsArb: fc.Arbitrary<Record<string, string>> = fc
  .record(
    {
      team: fc.constantFrom("pay", "core", "ci", "ops"),
      env: fc.constantFrom("prod", "dev", "div"),
      tier: fc.constantFrom("web", ""),
    },
    { requiredKeys: [] },
  )
  .map((labels) => ({ ...labels }));

/** Namespaces under `prod` come up more often: most generated rules and scopes are about them. */
export function resourceArb(): fc.Arbitrary<Resource> {
  return fc.record({
    type: weighted<string>([
      ["job", 20],
      ["secret", 6],
      ["node", 4],
      [SYSTEM_TYPE, 4],
      ["widget", 1],
    ]),
    namespace: weighted(
      NAMESPACES.map((n): [string, number] => [n, n.startsWith("prod") && n !== "production" ? 3 : 1]),
    ),
    name: weighted(NAMES.map((n): [string, number] => [n, n === "api" ? 4 : 1])),
    labels: labelsArb,
  });
}

export const contextArb: fc.Arbitrary<DecisionContext> = fc.record({
  mfa: fc.boolean(),
  sourceIp: fc.constantFrom(...SOURCE_IPS),
});

export const actionArb: fc.Arbitrary<string> = weighted(
  ACTIONS.map((a): [string, number] => [a, a === "list" || a === "read" ? 4 : 1]),
);

export const requestArb: fc.Arbitrary<Request> = fc.record({
  principal: principalArb,
  action: actionArb,
  resource: resourceArb(),
  context: contextArb,
});

/** Every context the domain can produce: for the brute-force checks. */
export const ALL_CONTEXTS: DecisionContext[] = [false, true].flatMap((mfa) =>
  SOURCE_IPS.map((sourceIp) => ({ mfa, sourceIp })),
);
