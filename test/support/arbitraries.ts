// fast-check arbitraries for small random policy states and requests. Value
// domains are kept tiny on purpose (a handful of types, namespaces, names,
// labels, addresses) so that random rules and random requests meet often.
import fc from "fast-check";
import { roleDoc } from "./role-doc";
import {
  LEVELS,
  type GrantDef,
  type LabelSelector,
  type Level,
  type PolicyDoc,
  type PolicyState,
  type ResourceTypeDef,
  type RoleDoc,
  type RuleSpec,
  type TokenDef,
  type UserDef,
} from "../../src/engine/types";

/** The fixed clock every generated state is evaluated at. */
export const NOW = new Date("2025-06-01T12:00:00.000Z");
export const at = (seconds: number): Date => new Date(NOW.getTime() + seconds * 1000);

export const INFRA_TYPES = ["job", "secret", "node"] as const;
/** One of the server's own types, to check that `*` never reaches it. */
export const SYSTEM_TYPE = "policy";
const CAPABILITY_POOL = ["list", "read", "restart", "exec", "write"] as const;
const SYSTEM_CAPABILITIES: Record<string, Level> = { list: "METADATA", read: "METADATA", create: "OWNER" };
export const ACTIONS = [...CAPABILITY_POOL, "create"] as const;

export const NAMESPACES = ["", "prod", "prod/a", "prod/a/b", "production", "Prod", "dev", "dev/a", "system"] as const;
const NAMESPACE_GLOBS: [string, number][] = [
  ["**", 12],
  ["prod/**", 4],
  ["prod", 1],
  ["prod/*", 1],
  ["*", 1],
  ["*/a", 1],
  ["**/a", 1],
  ["prod/a/**", 1],
  ["p?od/**", 1],
  ["prod*", 1],
  ["dev/**", 2],
  ["system", 1],
];
export const NAMES = ["", "api", "api-1", "API", "web", "db"] as const;
const NAME_GLOBS: [string, number][] = [
  ["*", 14],
  ["api", 1],
  ["api*", 2],
  ["*-1", 1],
  ["?b", 1],
  ["web", 1],
  ["w?b", 1],
];
export const SCOPES = ["", "prod", "prod/a", "dev", "system"] as const;
export const GROUPS = ["g-dev", "g-ops"] as const;
export const SOURCE_IPS = [
  null,
  "10.1.2.3",
  "10.20.5.5",
  "192.168.1.9",
  "::ffff:10.20.0.7",
  "fd00::1",
  "2001:db8::5",
] as const;
const CIDRS = ["10.0.0.0/8", "10.20.0.0/16", "192.168.1.0/24", "fd00::/8", "2001:db8::/32", "10.1.2.3/32", "0.0.0.0/0"];

export const USER_IDS = ["u0", "u1", "u2", "u3"] as const;
export const POLICY_NAMES = ["p0", "p1", "p2", "p3"] as const;
export const ROLE_NAMES = ["r0", "r1", "r2", "r3", "r4"] as const;
export const TOKEN_IDS = ["t0", "t1", "t2"] as const;

const levelArb = fc.constantFrom<Level>(...LEVELS);

/** One of `choices`, each `[value, weight]`. */
export function weighted<T>(choices: readonly (readonly [T, number])[]): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([value, weight]) => ({ weight, arbitrary: fc.constant(value) })));
}

/** Rules lean towards the higher levels, which include more. */
const ruleLevelArb = weighted<Level>([
  ["METADATA", 1],
  ["READ", 1],
  ["OPERATE", 2],
  ["ADMIN", 2],
  ["OWNER", 2],
]);

/** A subset of `items` of at most `max` elements (fc.subarray refuses a maximum above the length). */
export function someOf<T>(items: readonly T[], max: number, min = 0): fc.Arbitrary<T[]> {
  return fc.subarray([...items], { minLength: Math.min(min, items.length), maxLength: Math.min(max, items.length) });
}

/** Capabilities for one infrastructure type: always `list` and `read` (low, as in real types), some others at random levels. */
export const capabilitiesArb: fc.Arbitrary<Record<string, Level>> = fc
  .tuple(
    weighted<Level>([
      ["METADATA", 3],
      ["READ", 1],
    ]),
    someOf(CAPABILITY_POOL.slice(2), 3, 2),
    fc.array(levelArb, { minLength: 3, maxLength: 3 }),
  )
  .map(([read, caps, levels]) => ({
    list: "METADATA",
    read,
    ...Object.fromEntries(caps.map((c, i) => [c, levels[i]])),
  }));

export const typesArb: fc.Arbitrary<ResourceTypeDef[]> = fc
  .tuple(capabilitiesArb, capabilitiesArb, fc.option(capabilitiesArb, { freq: 2 }))
  .map(([job, secret, node]) => {
    const types: ResourceTypeDef[] = [
      { name: "job", capabilities: job },
      { name: "secret", capabilities: secret },
      { name: SYSTEM_TYPE, capabilities: { ...SYSTEM_CAPABILITIES } },
    ];
    if (node !== null) types.push({ name: "node", capabilities: node });
    return types;
  });

const labelSelectorsArb: fc.Arbitrary<LabelSelector[]> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<LabelSelector[]>([]) },
  {
    weight: 1,
    arbitrary: fc
      .subarray<LabelSelector>(
        [
          { key: "team", values: ["pay"] },
          { key: "team", values: ["core", "c*"] },
          { key: "team", values: ["*"] },
          { key: "env", values: ["prod", "d?v"] },
          { key: "tier", values: ["*"] },
          { key: "*", values: ["*"] },
        ],
        { minLength: 1, maxLength: 2 },
      )
      .filter((sels) => new Set(sels.map((s) => s.key)).size === sels.length),
  },
);

const cidrsArb = fc.oneof(
  { weight: 5, arbitrary: fc.constant<string[]>([]) },
  { weight: 1, arbitrary: someOf(CIDRS, 2, 1) },
);

/** One rule valid against `types`: its capabilities exist on the named type (or on some infrastructure type for `*`). */
export function ruleArb(types: ResourceTypeDef[]): fc.Arbitrary<RuleSpec> {
  const names = types.map((t) => t.name);
  const infraCaps = [
    ...new Set(types.filter((t) => t.name !== SYSTEM_TYPE).flatMap((t) => Object.keys(t.capabilities))),
  ];
  const target = weighted<string>([["*", 5], ...names.map((n): [string, number] => [n, n === "job" ? 5 : 1])]);
  return target.chain((resourceType) => {
    const caps =
      resourceType === "*" ? infraCaps : Object.keys(types.find((t) => t.name === resourceType)!.capabilities);
    type GrantsWhat = { level: Level | null; capabilities: string[] | null };
    const grantsWhat: fc.Arbitrary<GrantsWhat> = fc.oneof(
      { weight: 3, arbitrary: ruleLevelArb.map((level): GrantsWhat => ({ level, capabilities: null })) },
      { weight: 2, arbitrary: fc.constant<GrantsWhat>({ level: null, capabilities: ["*"] }) },
      { weight: 3, arbitrary: someOf(caps, 3, 1).map((c): GrantsWhat => ({ level: null, capabilities: c })) },
    );
    const effect = weighted<RuleSpec["effect"]>([
      ["ALLOW", 6],
      ["DENY", 1],
    ]);
    return fc
      .record({
        effect,
        namespace: weighted(NAMESPACE_GLOBS),
        name: weighted(NAME_GLOBS),
        labels: labelSelectorsArb,
        grantsWhat,
        mfa: weighted([
          [false, 6],
          [true, 1],
        ]),
        sourceCidrs: cidrsArb,
      })
      .map(({ effect, namespace, name, labels, grantsWhat, mfa, sourceCidrs }) => ({
        effect,
        resourceType,
        namespace,
        name,
        labels,
        capabilities: grantsWhat.capabilities,
        level: grantsWhat.level,
        requireMfa: effect === "ALLOW" && mfa,
        sourceCidrs: effect === "ALLOW" ? sourceCidrs : [],
      }));
  });
}

export function policyArb(name: string, types: ResourceTypeDef[]): fc.Arbitrary<PolicyDoc> {
  return fc
    .array(ruleArb(types), { minLength: 2, maxLength: 8 })
    .map((rules): PolicyDoc => ({ name, description: null, rules }));
}

function policiesArb(types: ResourceTypeDef[]): fc.Arbitrary<PolicyDoc[]> {
  return fc
    .integer({ min: 1, max: POLICY_NAMES.length })
    .chain((count) => fc.tuple(...POLICY_NAMES.slice(0, count).map((name) => policyArb(name, types))));
}

export { roleDoc };

/** Roles r0..rN; a role inherits only roles before it, so inheritance is acyclic by construction. */
function rolesArb(policyNames: string[]): fc.Arbitrary<RoleDoc[]> {
  return fc.integer({ min: 1, max: ROLE_NAMES.length }).chain((count) =>
    fc.tuple(
      ...ROLE_NAMES.slice(0, count).map((name, i) =>
        fc
          .record({
            policies: fc.oneof(
              { weight: 1, arbitrary: fc.constant<string[]>([]) },
              { weight: 6, arbitrary: someOf(policyNames, 3, 1) },
            ),
            inherits: someOf(ROLE_NAMES.slice(0, i), 2),
            requireSessionMfa: weighted([
              [false, 9],
              [true, 1],
            ]),
            superuser: weighted([
              [false, 40],
              [true, 1],
            ]),
          })
          .map((fields) => roleDoc(name, fields)),
      ),
    ),
  );
}

export function userArb(id: string): fc.Arbitrary<UserDef> {
  return fc.record({
    id: fc.constant(id),
    status: weighted<UserDef["status"]>([
      ["ACTIVE", 30],
      ["LOCKED", 1],
      ["DEPROVISIONED", 1],
    ]),
    groups: fc.subarray([...GROUPS]),
  });
}

const usersArb: fc.Arbitrary<UserDef[]> = fc.tuple(...USER_IDS.map(userArb));

/** [startsAt, expiresAt] pairs a grant may carry: open, not yet started, expired, and the exact boundaries. */
const GRANT_WINDOWS: [Date | null, Date | null][] = [
  ...Array.from({ length: 20 }, (): [null, null] => [null, null]),
  [at(-3600), null],
  [at(3600), null],
  [NOW, null],
  [at(1), null],
  [null, at(3600)],
  [null, NOW],
  [null, at(-1)],
  [at(-3600), at(1)],
  [at(-7200), at(-3600)],
];

export function grantArb(id: string, roleNames: string[]): fc.Arbitrary<GrantDef> {
  const subject = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...USER_IDS).map((userId) => ({ type: "USER" as const, userId })) },
    { weight: 1, arbitrary: fc.constantFrom(...GROUPS).map((group) => ({ type: "GROUP" as const, group })) },
  );
  return fc
    .record({
      role: fc.constantFrom(...roleNames),
      subject,
      scope: weighted<string>([
        ["", 8],
        ["prod", 2],
        ["prod/a", 1],
        ["dev", 1],
        ["system", 1],
      ]),
      active: weighted([
        [true, 15],
        [false, 1],
      ]),
      window: fc.constantFrom(...GRANT_WINDOWS),
    })
    .map(({ window, ...rest }) => ({ id, ...rest, startsAt: window[0], expiresAt: window[1] }));
}

export function tokenArb(id: string, roleNames: string[]): fc.Arbitrary<TokenDef> {
  return fc.record({
    id: fc.constant(id),
    ownerId: fc.constantFrom(...USER_IDS),
    roles: fc.oneof(fc.constant<string[]>([]), someOf(roleNames, 1, 1), someOf(roleNames, 2, 1)),
    expiresAt: weighted<Date | null>([
      [null, 12],
      [at(-1), 1],
      [NOW, 1],
      [at(3600), 2],
    ]),
    revokedAt: weighted<Date | null>([
      [null, 15],
      [at(-3600), 1],
    ]),
  });
}

/** A small, valid PolicyState: every reference resolves and inheritance is acyclic. */
export const stateArb: fc.Arbitrary<PolicyState> = typesArb.chain((types) =>
  policiesArb(types).chain((policies) =>
    rolesArb(policies.map((p) => p.name)).chain((roles) => {
      const roleNames = roles.map((r) => r.name);
      return fc.record({
        types: fc.constant(types),
        policies: fc.constant(policies),
        roles: fc.constant(roles),
        grants: fc
          .integer({ min: 5, max: 12 })
          .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => grantArb(`g${i}`, roleNames)))),
        users: usersArb,
        tokens: fc.tuple(...TOKEN_IDS.map((id) => tokenArb(id, roleNames))),
      });
    }),
  ),
);

/**
 * fast-check parameters for the engine properties: 10,000 runs by default
 * (FC_NUM_RUNS overrides), and FC_SEED / FC_PATH, as printed in a failure
 * report, replay that failure.
 */
export function propertyParameters<T>(numRuns = 10_000): fc.Parameters<T> {
  const { FC_SEED: seed, FC_PATH: path, FC_NUM_RUNS: runs } = process.env;
  return {
    numRuns: runs !== undefined ? Number(runs) : numRuns,
    ...(seed !== undefined ? { seed: Number(seed) } : {}),
    ...(path !== undefined ? { path } : {}),
  };
}
