// SSO mappings (docs/decisions.md, docs/sso.md): listing, and replacing one provider's list or
// the whole set in one policy write. A mapping hands its role out to every
// matching user at login, so adding one passes the same escalation check as
// grantRole at the mapping's scope. The SSO grants of every user holding SSO
// grants of an affected provider are recomputed in the same write: removing a
// mapping takes its role away at once, not at the user's next login, and a new
// mapping reaches those users at once too. A user of the provider who holds no
// SSO grant of it yet is not known to be its user: they get it at next login.
import { globProblem } from "../../engine";
import { badInput } from "../errors";
import { checkScope, loadRole } from "../grants/grant-input";
import { assertMayGiveRole } from "../grants/role-escalation";
import type { WriteStep } from "../access-model/write-step";
import type { GrantRecord, SsoMappingRecord } from "../model";
import type { PolicyChange, PolicyWriter } from "../policy/policy-writer";
import type { Repositories, Storage } from "../ports/storage.port";
import type { Principal } from "../principal";
import { keepingASuperuser } from "../users/last-superuser";
import { groupNameProblem } from "../users/user-input";
import { applySsoGrantChanges, checkProvider, grantSummary, recomputeSsoGrants } from "./sso-grant-recompute";

export interface SsoMappingArgs {
  provider: string;
  group: string;
  role: string;
  scope?: string | null;
}

const keyOf = (m: SsoMappingRecord) => JSON.stringify([m.provider, m.group, m.role.toLowerCase(), m.scope]);

/** Shape checks that need no storage; BAD_USER_INPUT at `mappings[i].<field>`. */
export function checkMappings(args: readonly SsoMappingArgs[], provider: string | null): SsoMappingRecord[] {
  return args.map((m, i) => {
    const at = (field: string) => `mappings[${i}].${field}`;
    checkProvider(m.provider, at("provider"));
    if (provider !== null && m.provider !== provider)
      throw badInput(at("provider"), `'${m.provider}' is not '${provider}', the provider whose list is replaced`);
    const problem = groupNameProblem(m.group) ?? globProblem(m.group);
    if (problem !== null)
      throw badInput(at("group"), `'${m.group.slice(0, 80)}' is not a valid group glob: ${problem}`);
    return { provider: m.provider, group: m.group, role: m.role, scope: checkScope(m.scope ?? "", at("scope")) };
  });
}

/** What setSsoMappings changed: the list replaced, and the SSO grants recomputed with it. */
export interface SsoMappingsResult {
  mappings: SsoMappingRecord[];
  grantsAdded: GrantRecord[];
  grantsRemoved: GrantRecord[];
}

/**
 * setSsoMappings' checks and write, inside a policy write, for mappings that
 * passed checkMappings: replaces the list of `provider` (every provider's when
 * null), checks each added mapping like grantRole at its scope, and recomputes
 * the SSO grants of the affected providers' users. No apply and no record when
 * nothing changes.
 */
export async function setSsoMappingsChange(
  { repos, engine, actor, refuse }: WriteStep,
  checked: SsoMappingRecord[],
  provider: string | null,
  now: Date,
): Promise<PolicyChange<SsoMappingsResult>> {
  const next = await resolveRoles(repos, checked);
  const before = provider !== null ? await repos.ssoMappings.forProvider(provider) : await repos.ssoMappings.all();
  const known = new Set(before.map(keyOf));
  const added = next.filter((m) => !known.has(keyOf(m)));
  for (const m of added) assertMayGiveRole(engine, actor, (await repos.roles.get(m.role))!, m.scope, refuse);
  const { after, changes } = await keepingASuperuser(repos, now, "replacing SSO mappings", async () => {
    await repos.ssoMappings.replace(provider, next);
    const after = provider !== null ? await repos.ssoMappings.forProvider(provider) : await repos.ssoMappings.all();
    const providers = [...new Set([...before, ...after].map((m) => m.provider))];
    return { after, changes: await recomputeUsers(repos, providers, now) };
  });
  const result = { mappings: after, grantsAdded: changes.added, grantsRemoved: changes.removed };
  const unchanged = JSON.stringify(before) === JSON.stringify(after);
  if (unchanged && changes.added.length === 0 && changes.removed.length === 0) return { result };
  return {
    result,
    apply: (e) => applySsoGrantChanges(e, changes),
    record: {
      provider,
      before,
      after,
      grantsAdded: grantSummary(changes.added),
      grantsRemoved: grantSummary(changes.removed),
    },
    resource: { type: "sso", name: provider ?? "" },
  };
}

/** Stored role names (BAD_USER_INPUT at `mappings[i].role` when unknown), duplicates dropped. */
async function resolveRoles(repos: Repositories, mappings: SsoMappingRecord[]): Promise<SsoMappingRecord[]> {
  const seen = new Set<string>();
  const out: SsoMappingRecord[] = [];
  for (const [i, m] of mappings.entries()) {
    const role = await loadRole(repos.roles, m.role, `mappings[${i}].role`);
    const mapping = { ...m, role: role.name };
    if (seen.has(keyOf(mapping))) continue;
    seen.add(keyOf(mapping));
    out.push(mapping);
  }
  return out;
}

/**
 * For each provider, every user holding SSO grants of it, recomputed against
 * its new mappings. Only those users are known to log in through the provider:
 * nobody gets a provider's grants without having logged in through it.
 */
async function recomputeUsers(
  repos: Repositories,
  providers: string[],
  now: Date,
): Promise<{ added: GrantRecord[]; removed: GrantRecord[] }> {
  const changes = { added: [] as GrantRecord[], removed: [] as GrantRecord[] };
  for (const provider of providers) {
    for (const user of await repos.users.getMany(await repos.grants.ssoUserIds([provider]))) {
      const one = await recomputeSsoGrants(repos, user, provider, now);
      changes.added.push(...one.added);
      changes.removed.push(...one.removed);
    }
  }
  return changes;
}

export class SsoMappingService {
  constructor(
    private readonly storage: Storage,
    private readonly writer: PolicyWriter,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Every mapping, by provider, each provider's in the order it was set. */
  list(): Promise<SsoMappingRecord[]> {
    return this.storage.ssoMappings.all();
  }

  /**
   * Replaces the list of `provider` (every entry must name it), or with
   * `provider` null the whole set. Duplicates collapse to their first entry.
   * Returns the list replaced, as stored.
   */
  async set(
    actor: Principal,
    args: readonly SsoMappingArgs[],
    provider: string | null,
    requestId: string,
  ): Promise<SsoMappingRecord[]> {
    if (provider !== null) checkProvider(provider, "provider");
    const checked = checkMappings(args, provider);
    const change = await this.writer.write(
      { actor, operation: "Mutation.setSsoMappings", requestId },
      async (repos, engine) => {
        const step = await setSsoMappingsChange({ repos, engine, actor }, checked, provider, this.now());
        return { ...step, result: step.result.mappings };
      },
    );
    return change;
  }
}
