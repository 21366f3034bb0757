// SsoGrantSync for callers outside a login (SCIM group membership changes): one
// policy write per call, by the SSO provisioning system actor.
import { existingUser } from "../grants/grant-service";
import type { PolicyWriter } from "../policy/policy-writer";
import { SSO_PROVISIONING } from "../system-actor";
import { keepingASuperuser } from "../users/last-superuser";
import {
  applySsoGrantChanges,
  checkProvider,
  grantLabel,
  grantSummary,
  recomputeSsoGrants,
} from "./sso-grant-recompute";
import type { SsoGrantSync } from "./sso-login";

export class SsoGrantSyncService implements SsoGrantSync {
  constructor(
    private readonly writer: PolicyWriter,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Returns the grants added and removed as `role` or `role@scope`. NOT_FOUND for
   * an unknown user; a write that changes nothing records nothing; CONFLICT when
   * it would take the last ACTIVE superuser's superuser grant.
   */
  async recompute(
    userId: string,
    provider: string,
    requestId: string,
  ): Promise<{ added: string[]; removed: string[] }> {
    checkProvider(provider, "provider");
    return this.writer.write({ actor: SSO_PROVISIONING, operation: "recomputeSsoGrants", requestId }, async (repos) => {
      const user = await existingUser(repos, userId, "userId");
      const now = this.now();
      const changes = await keepingASuperuser(repos, now, `recomputing the SSO grants of ${user.email}`, () =>
        recomputeSsoGrants(repos, user, provider, now),
      );
      const result = { added: changes.added.map(grantLabel), removed: changes.removed.map(grantLabel) };
      if (changes.added.length === 0 && changes.removed.length === 0) return { result };
      return {
        result,
        apply: (e) => applySsoGrantChanges(e, changes),
        record: {
          user: user.email,
          provider,
          groups: user.groups,
          grantsAdded: grantSummary(changes.added),
          grantsRemoved: grantSummary(changes.removed),
        },
        resource: { type: "user", name: user.email },
      };
    });
  }
}
