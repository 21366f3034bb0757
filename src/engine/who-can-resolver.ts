// whoCan: the users for whom check() would allow, found from the roles rather
// than by checking every user. Each role that has grants is evaluated once
// (without scope); its live grants whose scope covers the resource then lead to
// users directly or through group membership. A user is allowed when reached by
// a superuser role, or by an allowing role and by no denying one: exactly the
// order of check().

import { DecisionEvaluator, Outcome, OUTCOME_ALLOW, OUTCOME_DENY, OUTCOME_SUPERUSER } from "./decision-evaluator";
import { grantWindow, scopeCovers, unscopedEntry } from "./grant-entry";
import type { PolicyIndex } from "./policy-index";
import type { DecisionContext, Resource } from "./types";

export function resolveWhoCan(
  index: PolicyIndex,
  evaluator: DecisionEvaluator,
  now: number,
  action: string,
  resource: Resource,
  context: DecisionContext,
): string[] {
  const type = index.types.get(resource.type);
  const capability = type?.capabilities.get(action);
  const pair = capability?.pair ?? -1;
  const level = capability?.level ?? -1;
  const infrastructure = type?.infrastructure ?? false;
  const superusers = new Set<string>();
  const allowed = new Set<string>();
  const denied = new Set<string>();
  const out = new Outcome();
  const clock = { now: () => now };
  for (const slot of index.grantsOfRoles()) {
    if (slot.grants.length === 0) continue;
    evaluator.evaluate(out, [unscopedEntry(slot, null)], clock, resource, action, pair, level, infrastructure, context);
    const into =
      out.kind === OUTCOME_SUPERUSER
        ? superusers
        : out.kind === OUTCOME_DENY
          ? denied
          : out.kind === OUTCOME_ALLOW
            ? allowed
            : null;
    if (into === null) continue;
    for (const grant of slot.grants) {
      const [from, until] = grantWindow(grant);
      if (
        now < from ||
        now >= until ||
        !scopeCovers(typeof grant.scope === "string" ? grant.scope : "", resource.namespace)
      )
        continue;
      const subject = grant.subject;
      if (subject.type === "USER") into.add(subject.userId);
      else for (const member of index.groupMembers.get(subject.group) ?? []) into.add(member);
    }
  }
  const result: string[] = [];
  for (const id of new Set([...superusers, ...allowed])) {
    if (index.user(id)?.status !== "ACTIVE") continue;
    if (superusers.has(id) || !denied.has(id)) result.push(id);
  }
  return result.sort();
}
