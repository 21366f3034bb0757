// The synthetic workload shared by portcullis and the CASL baseline: users with
// three roles each, roles with rules over the seeded infrastructure types, and a
// list of checks half of which aim at a rule the user holds.
//
// Kept to what both can express (see SHARED_FEATURES / LEFT_OUT): no `when`
// conditions, superusers, tokens, inheritance, group or time-bound grants.
import type {
  GrantDef,
  LabelSelector,
  Level,
  PolicyState,
  Principal,
  Resource,
  ResourceTypeDef,
  RuleSpec,
} from "../src/engine/types";
import { SeededRandom } from "./seeded-random";

export interface WorkloadSize {
  name: string;
  users: number;
  roles: number;
  rulesPerRole: number;
}

export const SIZES: WorkloadSize[] = [
  { name: "small", users: 100, roles: 10, rulesPerRole: 10 },
  { name: "medium", users: 10_000, roles: 200, rulesPerRole: 50 },
  { name: "large", users: 100_000, roles: 2_000, rulesPerRole: 100 },
];

export const SHARED_FEATURES =
  "globs over namespace and name (~10 % of patterns), label selectors (~25 % of rules), levels and capability lists, " +
  "type '*', deny rules (~5 %), grant scopes (~20 % of grants)";
export const LEFT_OUT =
  "when.mfa / when.sourceCidrs (CASL has no CIDR matcher), superuser roles (deny-exempt), tokens, role inheritance, " +
  "group grants and time-bound grants";

/** The seeded infrastructure types (seeds/resource-types.yaml). */
export const INFRA_TYPES: ResourceTypeDef[] = [
  { name: "namespace", capabilities: { list: "METADATA", read: "METADATA", create: "ADMIN", delete: "ADMIN" } },
  {
    name: "job",
    capabilities: {
      list: "METADATA",
      read: "METADATA",
      logs: "READ",
      restart: "OPERATE",
      stop: "OPERATE",
      submit: "ADMIN",
      delete: "ADMIN",
      exec: "OWNER",
    },
  },
  {
    name: "alloc",
    capabilities: { list: "METADATA", read: "METADATA", logs: "READ", restart: "OPERATE", exec: "OWNER" },
  },
  { name: "node", capabilities: { list: "METADATA", read: "METADATA", drain: "OPERATE", exec: "OWNER" } },
  { name: "secret", capabilities: { list: "METADATA", read: "READ", write: "ADMIN", delete: "ADMIN" } },
  { name: "db", capabilities: { list: "METADATA", read: "METADATA", query: "READ", write: "ADMIN", admin: "OWNER" } },
  {
    name: "app",
    capabilities: {
      list: "METADATA",
      read: "METADATA",
      logs: "READ",
      env: "READ",
      restart: "OPERATE",
      scale: "OPERATE",
      deploy: "ADMIN",
      delete: "ADMIN",
      exec: "OWNER",
    },
  },
];

const LEVELS: Level[] = ["METADATA", "READ", "OPERATE", "ADMIN", "OWNER"];
const ENVS = ["prod", "staging", "dev"];
const TEAM_LABELS = ["pay", "core", "ops", "web", "data"];
const TIER_LABELS = ["frontend", "backend"];
const NAMES_PER_TEAM = 40;

export interface Check {
  userId: string;
  /** The same user as an engine Principal, built once so no check pays for it. */
  principal: Principal;
  action: string;
  resource: Resource;
}

export interface Workload {
  size: WorkloadSize;
  state: PolicyState;
  /** Each user's grants, as the CASL side decides from them. */
  grantsByUser: Map<string, GrantDef[]>;
  checks: Check[];
}

const teamOf = (role: number, teams: number): number => role % teams;

function ruleFor(rng: SeededRandom, team: number): RuleSpec {
  const anyType = rng.chance(0.1);
  const type = anyType ? null : rng.pick(INFRA_TYPES);
  const env = rng.pick(ENVS);
  const namespace = rng.chance(0.1)
    ? rng.pick([`team${team}/**`, `team${team}/*`, `*/${env}`, "**"])
    : `team${team}/${env}`;
  const name = rng.chance(0.1)
    ? rng.pick([`svc-${rng.int(4)}*`, "*", `svc-?${rng.int(10)}`])
    : `svc-${rng.int(NAMES_PER_TEAM)}`;
  const labels: LabelSelector[] = [];
  if (rng.chance(0.25)) {
    labels.push(
      rng.chance(0.7)
        ? { key: "team", values: rng.sample(TEAM_LABELS, 1 + rng.int(2)) }
        : { key: "tier", values: [rng.pick(TIER_LABELS)] },
    );
  }
  const deny = rng.chance(0.05);
  const useLevel = !deny && rng.chance(0.5);
  const caps = type === null ? ["list", "read", "logs", "restart", "exec"] : Object.keys(type.capabilities);
  return {
    effect: deny ? "DENY" : "ALLOW",
    resourceType: type === null ? "*" : type.name,
    namespace,
    name,
    labels,
    capabilities: useLevel ? null : rng.sample(caps, 1 + rng.int(Math.min(3, caps.length))),
    level: useLevel ? rng.pick(LEVELS) : null,
    requireMfa: false,
    sourceCidrs: [],
  };
}

/** A resource the rule matches (globs filled in at random); its labels are random, so selectors may still miss. */
function resourceFor(rng: SeededRandom, rule: RuleSpec, teams: number): Resource {
  const type = rule.resourceType === "*" ? rng.pick(INFRA_TYPES).name : rule.resourceType;
  const segments = rule.namespace.split("/").flatMap((segment, i) => {
    if (segment === "**") return Array.from({ length: rng.int(3) }, () => rng.pick(ENVS));
    if (segment === "*") return [i === 0 ? `team${rng.int(teams)}` : rng.pick(ENVS)];
    return [segment];
  });
  const name =
    rule.name === "*" ? `svc-${rng.int(NAMES_PER_TEAM)}` : rule.name.replace(/[*?]/g, () => String(rng.int(10)));
  return { type, namespace: segments.join("/"), name, labels: randomLabels(rng) };
}

function randomResource(rng: SeededRandom, teams: number): Resource {
  return {
    type: rng.pick(INFRA_TYPES).name,
    namespace: `team${rng.int(teams)}/${rng.pick(ENVS)}`,
    name: `svc-${rng.int(NAMES_PER_TEAM)}`,
    labels: randomLabels(rng),
  };
}

function randomLabels(rng: SeededRandom): Record<string, string> {
  const labels: Record<string, string> = {};
  if (rng.chance(0.8)) labels.team = rng.pick(TEAM_LABELS);
  if (rng.chance(0.5)) labels.tier = rng.pick(TIER_LABELS);
  return labels;
}

export function buildWorkload(size: WorkloadSize, checkCount: number, seed = 7): Workload {
  const rng = new SeededRandom(seed);
  const teams = Math.max(4, Math.floor(size.roles / 5));
  const policies = Array.from({ length: size.roles }, (_, r) => ({
    name: `policy-${r}`,
    description: null,
    rules: Array.from({ length: size.rulesPerRole }, () => ruleFor(rng, teamOf(r, teams))),
  }));
  const roles = policies.map((p, r) => ({
    name: `role-${r}`,
    description: null,
    policies: [p.name],
    inherits: [],
    options: { maxSessionTtlSeconds: null, requireSessionMfa: false },
    request: { roles: [], approvals: 1, denials: 1 },
    reviewRequests: { roles: [] },
    superuser: false,
  }));
  const users = Array.from({ length: size.users }, (_, u) => ({
    id: `user-${u}`,
    status: "ACTIVE" as const,
    groups: [],
  }));
  const grants: GrantDef[] = [];
  const grantsByUser = new Map<string, GrantDef[]>();
  for (const user of users) {
    const mine = rng.distinctInts(roles.length, 3).map((r, k): GrantDef => ({
      id: `${user.id}-g${k}`,
      role: roles[r].name,
      subject: { type: "USER", userId: user.id },
      scope: rng.chance(0.2) ? `team${teamOf(r, teams)}` : "",
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
      const policy = policies[Number(grant.role.slice("role-".length))];
      resource = resourceFor(rng, rng.pick(policy.rules), teams);
    } else {
      resource = randomResource(rng, teams);
    }
    const type = INFRA_TYPES.find((t) => t.name === resource.type)!;
    checks.push({
      userId: user.id,
      principal: { kind: "user", userId: user.id },
      action: rng.pick(Object.keys(type.capabilities)),
      resource,
    });
  }
  const state: PolicyState = { types: INFRA_TYPES, policies, roles, grants, users, tokens: [] };
  return { size, state, grantsByUser, checks };
}
