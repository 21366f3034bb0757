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
import type { GrantRecord, SsoMappingRecord } from "../model";
import type { PolicyWriter } from "../policy/policy-writer";
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
function checkMappings(args: readonly SsoMappingArgs[], provider: string | null): SsoMappingRecord[] {
  return args.map((m, i) => {
    const at = (field: string) => `mappings[${i}].${field}`;
    checkProvider(m.provider, at("provider"));
    if (provider !== null && m.provider !== provider) throw badInput(at("provider"), `'${m.provider}' is not '${provider}', the provider whose list is replaced`);
    const problem = groupNameProblem(m.group) ?? globProblem(m.group);
    if (problem !== null) throw badInput(at("group"), `'${m.group.slice(0, 80)}' is not a valid group glob: ${problem}`);
    return { provider: m.provider, group: m.group, role: m.role, scope: checkScope(m.scope ?? "", at("scope")) };
  });
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
  async set(actor: Principal, args: readonly SsoMappingArgs[], provider: string | null, requestId: string): Promise<SsoMappingRecord[]> {
    if (provider !== null) checkProvider(provider, "provider");
    const checked = checkMappings(args, provider);
    return this.writer.write({ actor, operation: "Mutation.setSsoMappings", requestId }, async (repos, engine) => {
      const next = await this.resolveRoles(repos, checked);
      const before = provider !== null ? await repos.ssoMappings.forProvider(provider) : await repos.ssoMappings.all();
      const known = new Set(before.map(keyOf));
      const added = next.filter((m) => !known.has(keyOf(m)));
      for (const m of added) assertMayGiveRole(engine, actor, (await repos.roles.get(m.role))!, m.scope);
      const { after, changes } = await keepingASuperuser(repos, this.now(), "replacing SSO mappings", async () => {
        await repos.ssoMappings.replace(provider, next);
        const after = provider !== null ? await repos.ssoMappings.forProvider(provider) : await repos.ssoMappings.all();
        const providers = [...new Set([...before, ...after].map((m) => m.provider))];
        return { after, changes: await this.recomputeUsers(repos, providers) };
      });
      const unchanged = JSON.stringify(before) === JSON.stringify(after);
      if (unchanged && changes.added.length === 0 && changes.removed.length === 0) return { result: after };
      return {
        result: after,
        apply: (e) => applySsoGrantChanges(e, changes),
        record: { provider, before, after, grantsAdded: grantSummary(changes.added), grantsRemoved: grantSummary(changes.removed) },
        resource: { type: "sso", name: provider ?? "" },
      };
    });
  }

  /** Stored role names (BAD_USER_INPUT at `mappings[i].role` when unknown), duplicates dropped. */
  private async resolveRoles(repos: Repositories, mappings: SsoMappingRecord[]): Promise<SsoMappingRecord[]> {
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
  private async recomputeUsers(repos: Repositories, providers: string[]): Promise<{ added: GrantRecord[]; removed: GrantRecord[] }> {
    const changes = { added: [] as GrantRecord[], removed: [] as GrantRecord[] };
    const now = this.now();
    for (const provider of providers) {
      for (const user of await repos.users.getMany(await repos.grants.ssoUserIds([provider]))) {
        const one = await recomputeSsoGrants(repos, user, provider, now);
        changes.added.push(...one.added);
        changes.removed.push(...one.removed);
      }
    }
    return changes;
  }
}
