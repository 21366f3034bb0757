// A second synthetic workload, of a shape the engine was not tuned for: 8
// resource types with 6 capabilities each, flat namespaces `t<team>-<env>`,
// names `<prefix>-<n>`; ~10 % of patterns are globs (prefix `t3-*`, suffix
// `*-prod` or `*-7`, or `*`), ~25 % of rules carry label selectors, ~10 % use
// type `*`, ~5 % are denies; 3 roles per user; half the checks aim at a rule of
// the user's, half are random. Seeded, so every run asks the same questions.
import type {
  GrantDef,
  LabelSelector,
  Level,
  PolicyState,
  Resource,
  ResourceTypeDef,
  RuleSpec,
} from "../src/engine/types";
import type { Check, Workload, WorkloadSize } from "./engine-workload";
import { SeededRandom } from "./seeded-random";

export const UNSEEN_FEATURES =
  "8 types x 6 capabilities, flat namespaces t<team>-<env>, names <prefix>-<n>; globs (~10 % of patterns: t3-*, *-prod, *-7, *), " +
  "label selectors (~25 % of rules), type '*' (~10 %), denies (~5 %), levels (~20 % of allows)";

const CAPABILITIES = ["list", "read", "logs", "operate", "write", "admin"];
const LEVELS: Level[] = ["METADATA", "READ", "OPERATE", "ADMIN", "OWNER"];
const TYPE_NAMES = ["queue", "topic", "bucket", "cluster", "service", "volume", "gateway", "function"];

/** Eight types sharing six capability names at levels that differ per type. */
export const UNSEEN_TYPES: ResourceTypeDef[] = TYPE_NAMES.map((name, t) => ({
  name,
  capabilities: Object.fromEntries(
    CAPABILITIES.map((cap, c): [string, Level] => [cap, LEVELS[Math.min(4, Math.floor((c + (t % 3)) / 1.5))]]),
  ),
}));

const ENVS = ["prod", "staging", "dev", "qa"];
const PREFIXES = ["api", "web", "db", "cache", "worker", "batch"];
const NAMES_PER_PREFIX = 12;
const LABELS: Record<string, string[]> = {
  owner: ["pay", "core", "ops", "web", "data"],
  tier: ["frontend", "backend", "storage"],
  pii: ["yes", "no"],
};

function namespacePattern(rng: SeededRandom, team: number): string {
  if (!rng.chance(0.1)) return `t${team}-${rng.pick(ENVS)}`;
  return rng.pick([`t${team}-*`, `*-${rng.pick(ENVS)}`, "*"]);
}

function namePattern(rng: SeededRandom): string {
  if (!rng.chance(0.1)) return `${rng.pick(PREFIXES)}-${rng.int(NAMES_PER_PREFIX)}`;
  return rng.pick([`${rng.pick(PREFIXES)}-*`, `*-${rng.int(NAMES_PER_PREFIX)}`, "*"]);
}

function ruleFor(rng: SeededRandom, team: number): RuleSpec {
  const type = rng.chance(0.1) ? "*" : rng.pick(TYPE_NAMES);
  const labels: LabelSelector[] = [];
  if (rng.chance(0.25)) {
    const key = rng.pick(Object.keys(LABELS));
    labels.push({ key, values: rng.sample(LABELS[key], 1 + rng.int(2)) });
  }
  const deny = rng.chance(0.05);
  const useLevel = !deny && rng.chance(0.2);
  return {
    effect: deny ? "DENY" : "ALLOW",
    resourceType: type,
    namespace: namespacePattern(rng, team),
    name: namePattern(rng),
    labels,
    capabilities: useLevel ? null : rng.sample(CAPABILITIES, 1 + rng.int(3)),
    level: useLevel ? rng.pick(LEVELS) : null,
    requireMfa: false,
    sourceCidrs: [],
  };
}

function randomLabels(rng: SeededRandom): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, values] of Object.entries(LABELS)) if (rng.chance(0.6)) labels[key] = rng.pick(values);
  return labels;
}

/** A resource the rule's type, namespace and name match (its labels are random, so a selector may still miss). */
function resourceFor(rng: SeededRandom, rule: RuleSpec, teams: number): Resource {
  const namespace = rule.namespace
    .replace(/^\*$/, () => `t${rng.int(teams)}-${rng.pick(ENVS)}`)
    .replace(/^\*-/, () => `t${rng.int(teams)}-`)
    .replace(/-\*$/, () => `-${rng.pick(ENVS)}`);
  const name = rule.name
    .replace(/^\*$/, () => `${rng.pick(PREFIXES)}-${rng.int(NAMES_PER_PREFIX)}`)
    .replace(/^\*-/, () => `${rng.pick(PREFIXES)}-`)
    .replace(/-\*$/, () => `-${rng.int(NAMES_PER_PREFIX)}`);
  const type = rule.resourceType === "*" ? rng.pick(TYPE_NAMES) : rule.resourceType;
  return { type, namespace, name, labels: randomLabels(rng) };
}

function randomResource(rng: SeededRandom, teams: number): Resource {
  return {
    type: rng.pick(TYPE_NAMES),
    namespace: `t${rng.int(teams)}-${rng.pick(ENVS)}`,
    name: `${rng.pick(PREFIXES)}-${rng.int(NAMES_PER_PREFIX)}`,
    labels: randomLabels(rng),
  };
}

export function buildUnseenWorkload(size: WorkloadSize, checkCount: number, seed = 1414): Workload {
  const rng = new SeededRandom(seed);
  const teams = Math.max(4, Math.floor(size.roles / 5));
  const policies = Array.from({ length: size.roles }, (_, r) => ({
    name: `p${r}`,
    description: null,
    rules: Array.from({ length: size.rulesPerRole }, () => ruleFor(rng, r % teams)),
  }));
  const roles = policies.map((p, r) => ({
    name: `r${r}`,
    description: null,
    policies: [p.name],
    inherits: [],
    options: { maxSessionTtlSeconds: null, requireSessionMfa: false },
    request: { roles: [], approvals: 1, denials: 1 },
    reviewRequests: { roles: [] },
    superuser: false,
  }));
  const users = Array.from({ length: size.users }, (_, u) => ({ id: `u${u}`, status: "ACTIVE" as const, groups: [] }));
  const grants: GrantDef[] = [];
  const grantsByUser = new Map<string, GrantDef[]>();
  for (const user of users) {
    const mine = rng.distinctInts(roles.length, 3).map((r, k): GrantDef => ({
      id: `${user.id}-g${k}`,
      role: roles[r].name,
      subject: { type: "USER", userId: user.id },
      scope: "",
      active: true,
      startsAt: null,
      expiresAt: null,
    }));
    grants.push(...mine);
    grantsByUser.set(user.id, mine);
  }
  const checks: Check[] = [];
  for (let i = 0; i < checkCount; i++) {
    const user = rng.pick(users);
    let resource: Resource;
    if (rng.chance(0.5)) {
      const grant = rng.pick(grantsByUser.get(user.id)!);
      resource = resourceFor(rng, rng.pick(policies[Number(grant.role.slice(1))].rules), teams);
    } else resource = randomResource(rng, teams);
    checks.push({
      userId: user.id,
      principal: { kind: "user", userId: user.id },
      action: rng.pick(CAPABILITIES),
      resource,
    });
  }
  const state: PolicyState = { types: UNSEEN_TYPES, policies, roles, grants, users, tokens: [] };
  return { size, state, grantsByUser, checks };
}
