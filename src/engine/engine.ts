// The policy engine: compiled state plus the questions asked of it. One engine
// answers check, effectivePermissions, whoCan and the escalation checks, so every
// caller gets the same decision for the same facts (docs/decisions.md).

import { diffAccess, type AccessDiffHint, type UserAccessDiff } from "./access-diff";
import { CoverChecker, type CoverTarget } from "./cover-checker";
import {
  DecisionEvaluator,
  Outcome,
  OUTCOME_ALLOW,
  OUTCOME_NONE,
  OUTCOME_SUPERUSER,
  type Clock,
} from "./decision-evaluator";
import {
  decision,
  explainOutcome,
  grantPhrase,
  rulePhrase,
  subjectOf,
  target,
  type Question,
} from "./decision-explainer";
import { listPermissions } from "./permission-lister";
import { isLive, scopeCovers, type UserRecord } from "./grant-entry";
import { PolicyIndex } from "./policy-index";
import { resolvePrincipal } from "./principal-resolver";
import type { RoleRefs } from "./role-document";
import { roleKey } from "./role-closure";
import { resolveRole } from "./role-rules";
import { tokenScope } from "./token-scope";
import type {
  CoverResult,
  Decision,
  DecisionContext,
  GrantDef,
  Permission,
  PermissionFilter,
  PolicyDoc,
  PolicyState,
  Principal,
  Resource,
  ResourceTypeDef,
  RoleDoc,
  RuleSpec,
  TokenDef,
  UserDef,
} from "./types";
import { resolveWhoCan } from "./who-can-resolver";

export interface EngineOptions {
  /** The clock grants and tokens are judged against; defaults to the system clock. */
  now?: () => Date;
}

export class Engine {
  private readonly index = new PolicyIndex();
  private readonly evaluator = new DecisionEvaluator(this.index);
  private readonly ownerOutcome = new Outcome();
  private readonly tokenOutcome = new Outcome();
  /** Read at most once per check, and only when a time bound matters. */
  private readonly checkClock = new LazyClock(() => this.nowMs());

  private constructor(private readonly clock: (() => Date) | null) {}

  /** Indexes a whole state. Later edits go through the put and delete methods. */
  static compile(state: PolicyState, options: EngineOptions = {}): Engine {
    const engine = new Engine(options.now ?? null);
    engine.index.load(state);
    return engine;
  }

  /** The state this engine decides from, as plain data shared with it (read-only): to compile a scratch engine from. */
  snapshot(): PolicyState {
    return this.index.snapshot();
  }

  /** Per user, the permissions gained and lost going from this state to `after`'s; see access-diff.ts. */
  diffAccess(after: Engine, hint: AccessDiffHint): UserAccessDiff[] {
    return diffAccess(this.index, after.index, this.nowMs(), hint);
  }

  /** What the state holds: known users, grants (direct and group), policy rules. Linear in users and policies. */
  size(): { users: number; grants: number; rules: number } {
    return this.index.size();
  }

  putType(def: ResourceTypeDef): void {
    this.index.putType(def);
  }
  putPolicy(doc: PolicyDoc): void {
    this.index.putPolicy(doc);
  }
  deletePolicy(name: string): void {
    this.index.deletePolicy(name);
  }
  putRole(doc: RoleDoc): void {
    this.index.putRole(doc);
  }
  deleteRole(name: string): void {
    this.index.deleteRole(name);
  }
  putGrant(grant: GrantDef): void {
    this.index.putGrant(grant);
  }
  deleteGrant(id: string): void {
    this.index.deleteGrant(id);
  }
  putUser(user: UserDef): void {
    this.index.putUser(user);
  }
  deleteUser(id: string): void {
    this.index.deleteUser(id);
  }
  putToken(token: TokenDef): void {
    this.index.putToken(token);
  }
  deleteToken(id: string): void {
    this.index.deleteToken(id);
  }

  private nowMs(): number {
    return this.clock === null ? Date.now() : this.clock().getTime();
  }

  /** Decides whether `principal` may use capability `action` on `resource` (docs/decisions.md, in order). */
  check(principal: Principal, action: string, resource: Resource, context: DecisionContext): Decision {
    const index = this.index;
    const clock = this.checkClock;
    clock.reset();
    let record: UserRecord | undefined;
    let token: TokenDef | null = null;
    if (principal?.kind === "user") {
      // The common case, without allocating a Resolution.
      record = index.user(principal.userId);
      if (record === undefined)
        return decision(false, "NO_MATCHING_RULE", null, [`user ${principal.userId} is unknown; denied by default`]);
      if (record.status !== "ACTIVE")
        return decision(false, "USER_LOCKED", null, [`user ${record.id} is ${record.status}`]);
    } else {
      const who = resolvePrincipal(index, principal, clock.now(), context.sourceIp);
      if (!who.ok) return decision(false, who.reason, null, [who.message]);
      record = who.record;
      token = who.token;
    }
    const type = index.types.get(resource.type);
    const capability = type?.capabilities.get(action);
    const pair = capability?.pair ?? -1;
    const level = capability?.level ?? -1;
    const infrastructure = type?.infrastructure ?? false;
    const owner = this.ownerOutcome;
    this.evaluator.evaluate(
      owner,
      index.entriesOf(record),
      clock,
      resource,
      action,
      pair,
      level,
      infrastructure,
      context,
    );
    const q: Question = { userId: record.id, tokenId: token?.id ?? null, capability: action, resource, context };
    if (token === null || token.roles.length === 0 || !owner.allowed) return this.explain(owner, q, pair, null);
    // A token is the intersection of its owner's grants and its own roles, taken as unscoped grants.
    const side = this.tokenOutcome;
    this.evaluator.evaluate(
      side,
      index.entriesOfToken(token),
      clock,
      resource,
      action,
      pair,
      level,
      infrastructure,
      context,
    );
    if (side.allowed) {
      const reportSide = owner.kind === OUTCOME_SUPERUSER && side.kind === OUTCOME_ALLOW;
      return this.explain(
        reportSide ? side : owner,
        q,
        pair,
        `token ${token.id}'s roles (${token.roles.join(", ")}) allow it too`,
      );
    }
    if (side.kind === OUTCOME_NONE) {
      const via =
        owner.rule !== null
          ? `by ${rulePhrase(owner.rule, owner.member!, owner.entry!)}`
          : `as a superuser through ${grantPhrase(owner.entry!)}`;
      return decision(false, "TOKEN_SCOPE", null, [
        `token ${token.id} may not ${target(action, resource)}: its roles (${token.roles.join(", ")}) do not allow it`,
        `its owner ${record.id} may, ${via}, but a token is limited to its roles`,
      ]);
    }
    return this.explain(side, q, pair, `the owner ${record.id} may, but the token's roles decide`);
  }

  private explain(out: Outcome, q: Question, pair: number, note: string | null): Decision {
    if (out.kind === OUTCOME_NONE && pair < 0) {
      const r = q.resource;
      const problem = this.index.types.has(r.type)
        ? `type ${r.type} has no capability '${q.capability}'`
        : `unknown resource type '${r.type}'`;
      return decision(false, "NO_MATCHING_RULE", null, [
        `no rule allows ${subjectOf(q)} to ${target(q.capability, r)}: ${problem}`,
        "denied by default",
      ]);
    }
    const superRole = out.kind === OUTCOME_SUPERUSER ? this.index.roleOf(out.entry!) : null;
    return explainOutcome(out, q, superRole, note);
  }

  /** The allows and denies that apply to `principal` now; see permission-lister.ts for order and conventions. */
  effectivePermissions(principal: Principal, filter: PermissionFilter = {}): Permission[] {
    const now = this.nowMs();
    const who = resolvePrincipal(this.index, principal, now);
    if (!who.ok) return [];
    return listPermissions(this.index, who.record, tokenScope(this.index, who.token), now, filter ?? {});
  }

  /** Ids (sorted) of the users whom check({kind: "user"}) would allow. */
  whoCan(action: string, resource: Resource, context: DecisionContext): string[] {
    return resolveWhoCan(this.index, this.evaluator, this.nowMs(), action, resource, context);
  }

  /** Whether everything the allow rules among `rules` would allow within `scope` ("" = everywhere) is already allowed to `actor`. */
  covers(actor: Principal, rules: RuleSpec[], scope: string): CoverResult {
    const checker = new CoverChecker(this.index, this.nowMs());
    checker.loadActor(actor);
    return checker.check(
      rules.map((spec, i) => ({ spec, label: `rules[${i}]` })),
      scope,
    );
  }

  /** covers() for a role's full rule set; a superuser role is covered only by a superuser actor. */
  coversRole(actor: Principal, role: RoleDoc, scope: string): CoverResult {
    const checker = new CoverChecker(this.index, this.nowMs());
    checker.loadActor(actor);
    const resolved = resolveRole(this.index, role);
    if (resolved.superuser !== null) {
      if (checker.superuserIn(scope)) return { covered: true };
      const via = resolved.superuser === role.name ? "" : ` (it inherits superuser role ${resolved.superuser})`;
      return {
        covered: false,
        missing: "*:*",
        explanation: `role ${role.name} is a superuser role${via}; only a superuser may give it out`,
      };
    }
    const targets: CoverTarget[] = resolved.rules.map((r) => ({
      spec: r.spec,
      label: `rules[${r.ruleIndex}] of policy ${r.policy} (role ${r.role})`,
    }));
    return checker.check(targets, scope);
  }

  /** The rules a role would contribute (policies, inherited roles, requireSessionMfa applied), resolved against the current state. */
  roleRules(role: RoleDoc): RuleSpec[] {
    return resolveRole(this.index, role).rules.map((r) => r.spec);
  }

  /** Registered types, by name. */
  types(): ResourceTypeDef[] {
    return [...this.index.types.values()]
      .map((t) => t.def)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  typeMap(): ReadonlyMap<string, ResourceTypeDef> {
    return new Map([...this.index.types].map(([name, info]) => [name, info.def]));
  }

  /** Names (sorted) of the existing roles the user holds now through live direct or group grants. */
  rolesOf(userId: string): string[] {
    const now = this.nowMs();
    const record = this.index.user(userId);
    if (record === undefined) return [];
    const names = new Map<string, string>();
    for (const entry of this.index.entriesOf(record)) {
      const doc = this.index.roles.get(roleKey(entry.roleName));
      if (doc !== undefined && isLive(entry, now)) names.set(roleKey(doc.name), doc.name);
    }
    return [...names.values()].sort();
  }

  /** References as they stand now, for parseRoleDocument. */
  roleRefs(): RoleRefs {
    const index = this.index;
    return {
      policyExists: (name) => index.policies.has(name.toLowerCase()),
      roleInherits: (name) => index.roles.get(roleKey(name))?.inherits,
      policyNames: () => [...index.policies.values()].map((p) => p.doc.name).sort(),
      roleNames: () => [...index.roles.values()].map((r) => r.name).sort(),
    };
  }

  /** Whether `principal` is a superuser for everything within `scope` (default: everywhere). */
  isSuperuser(principal: Principal, scope = ""): boolean {
    const now = this.nowMs();
    const who = resolvePrincipal(this.index, principal, now);
    if (!who.ok) return false;
    const restrict = tokenScope(this.index, who.token);
    return this.index.entriesOf(who.record).some((entry) => {
      if (!isLive(entry, now) || !scopeCovers(entry.scope, scope)) return false;
      const role = this.index.compiled(entry.slot);
      return role.superuser && (restrict === null || restrict.members.has(role.superuserSource!.toLowerCase()));
    });
  }
}

class LazyClock implements Clock {
  private value = Number.NaN;

  constructor(private readonly read: () => number) {}

  reset(): void {
    this.value = Number.NaN;
  }

  now(): number {
    if (Number.isNaN(this.value)) this.value = this.read();
    return this.value;
  }
}
