// A naive reference evaluator written straight from docs/documents.md, docs/concepts.md, docs/decisions.md, for the
// property tests to compare the compiled engine against. It re-reads the whole
// state on every call: no indexes, no caching, just loops over rules.
import {
  LEVELS,
  SYSTEM_TYPES,
  type DecisionContext,
  type DecisionReason,
  type GrantDef,
  type PolicyState,
  type Principal,
  type Resource,
  type RoleDoc,
  type RuleSpec,
} from "../../src/engine/types";
import { referenceInCidr } from "./reference-cidr";
import { referenceGlobMatches } from "./reference-glob";

export interface ReferenceDecision {
  allowed: boolean;
  reason: DecisionReason;
}

/** A role held within a namespace subtree ("" = everywhere). */
interface Binding {
  role: string;
  scope: string;
}

/** One rule as it reaches a principal: through which role, and whether a role on the way demands MFA. */
interface RuleInstance {
  rule: RuleSpec;
  sessionMfa: boolean;
}

const deny = (reason: DecisionReason): ReferenceDecision => ({ allowed: false, reason });

export class ReferenceEvaluator {
  constructor(
    private readonly state: PolicyState,
    private readonly now: Date,
  ) {}

  check(principal: Principal, action: string, resource: Resource, context: DecisionContext): ReferenceDecision {
    if (principal.kind === "user") return this.checkUser(principal.userId, action, resource, context);
    return this.checkToken(principal.tokenId, action, resource, context);
  }

  /** Roles the user holds right now through valid grants (direct or via a group), sorted, without duplicates. */
  rolesOf(userId: string): string[] {
    const user = this.state.users.find((u) => u.id === userId);
    if (user === undefined) return [];
    const roles = this.grantsOf(userId, user.groups).map((g) => g.role);
    return [...new Set(roles)].sort();
  }

  /** Decides for a role set held as bindings, as if by an ACTIVE user (steps 3–6, 8). */
  decideBindings(bindings: Binding[], action: string, resource: Resource, context: DecisionContext): ReferenceDecision {
    const inScope = bindings.filter((b) => namespaceInScope(resource.namespace, b.scope));
    if (inScope.some((b) => this.isSuperuser(b.role, []))) return { allowed: true, reason: "SUPERUSER" };

    const matched: RuleInstance[] = [];
    for (const binding of inScope) {
      for (const instance of this.rulesOfRole(binding.role, false, [])) {
        if (this.ruleMatches(instance.rule, action, resource)) matched.push(instance);
      }
    }
    if (matched.some((m) => m.rule.effect === "DENY")) return deny("EXPLICIT_DENY");

    const allows = matched.filter((m) => m.rule.effect === "ALLOW");
    let mfaWouldAdmit = false;
    for (const allow of allows) {
      const needsMfa = allow.rule.requireMfa || allow.sessionMfa;
      const mfaOk = !needsMfa || context.mfa;
      const sourceOk = allow.rule.sourceCidrs.length === 0 || sourceAllowed(context.sourceIp, allow.rule.sourceCidrs);
      if (mfaOk && sourceOk) return { allowed: true, reason: "ALLOWED" };
      if (!mfaOk && sourceOk) mfaWouldAdmit = true;
    }
    if (allows.length > 0) return deny(mfaWouldAdmit ? "MFA_REQUIRED" : "SOURCE_NOT_ALLOWED");
    return deny("NO_MATCHING_RULE");
  }

  private checkUser(userId: string, action: string, resource: Resource, context: DecisionContext): ReferenceDecision {
    const user = this.state.users.find((u) => u.id === userId);
    if (user === undefined) return deny("NO_MATCHING_RULE");
    if (user.status !== "ACTIVE") return deny("USER_LOCKED");
    const bindings = this.grantsOf(user.id, user.groups).map((g) => ({ role: g.role, scope: g.scope }));
    return this.decideBindings(bindings, action, resource, context);
  }

  /**
   * A token (§4, §5). Step 1 judges the credential; then the owner decides as a user.
   * A token with roles can also do no more than those roles, taken as grants everywhere:
   * when they match nothing the answer is TOKEN_SCOPE (step 7); when they match a deny,
   * or only allows whose conditions fail, steps 4 and 6 apply to those rules as to any.
   * An empty role list stands for all of the owner's roles: the owner's own decision.
   */
  private checkToken(tokenId: string, action: string, resource: Resource, context: DecisionContext): ReferenceDecision {
    const token = this.state.tokens.find((t) => t.id === tokenId);
    if (token === undefined || token.revokedAt !== null) return deny("UNAUTHENTICATED");
    if (token.expiresAt !== null && this.now.getTime() >= token.expiresAt.getTime()) return deny("UNAUTHENTICATED");
    if (!this.state.users.some((u) => u.id === token.ownerId)) return deny("UNAUTHENTICATED");

    const owner = this.checkUser(token.ownerId, action, resource, context);
    if (!owner.allowed || token.roles.length === 0) return owner;
    const ownRoles = this.decideBindings(
      token.roles.map((role) => ({ role, scope: "" })),
      action,
      resource,
      context,
    );
    if (!ownRoles.allowed) return ownRoles.reason === "NO_MATCHING_RULE" ? deny("TOKEN_SCOPE") : ownRoles;
    // SUPERUSER only when both sides are; otherwise some rule allowed it.
    return owner.reason === "SUPERUSER" && ownRoles.reason === "SUPERUSER"
      ? owner
      : { allowed: true, reason: "ALLOWED" };
  }

  private grantsOf(userId: string, groups: string[]): GrantDef[] {
    return this.state.grants.filter((g) => {
      const forUser = g.subject.type === "USER" ? g.subject.userId === userId : groups.includes(g.subject.group);
      return forUser && this.grantValid(g);
    });
  }

  private grantValid(grant: GrantDef): boolean {
    const now = this.now.getTime();
    if (!grant.active) return false;
    if (grant.startsAt !== null && now < grant.startsAt.getTime()) return false;
    if (grant.expiresAt !== null && now >= grant.expiresAt.getTime()) return false;
    return true;
  }

  private role(name: string): RoleDoc | undefined {
    return this.state.roles.find((r) => r.name === name);
  }

  /** A role is superuser when it, or any role it inherits (transitively), says so. */
  private isSuperuser(name: string, path: string[]): boolean {
    const role = this.role(name);
    if (role === undefined || path.includes(name)) return false;
    return role.superuser || role.inherits.some((parent) => this.isSuperuser(parent, [...path, name]));
  }

  /** Every rule a role contributes, walking each inheritance path; MFA demanded by any role on the path sticks. */
  private rulesOfRole(name: string, mfaFromAbove: boolean, path: string[]): RuleInstance[] {
    const role = this.role(name);
    if (role === undefined || path.includes(name)) return [];
    const sessionMfa = mfaFromAbove || role.options.requireSessionMfa;
    const out: RuleInstance[] = [];
    for (const policyName of role.policies) {
      const policy = this.state.policies.find((p) => p.name === policyName);
      for (const rule of policy?.rules ?? []) out.push({ rule, sessionMfa });
    }
    for (const parent of role.inherits) out.push(...this.rulesOfRole(parent, sessionMfa, [...path, name]));
    return out;
  }

  private ruleMatches(rule: RuleSpec, action: string, resource: Resource): boolean {
    const type = this.state.types.find((t) => t.name === resource.type);
    if (type === undefined) return false;
    if (rule.resourceType === "*") {
      if ((SYSTEM_TYPES as readonly string[]).includes(type.name)) return false;
    } else if (rule.resourceType !== type.name) {
      return false;
    }
    if (!Object.hasOwn(type.capabilities, action)) return false;
    const level = type.capabilities[action];
    if (rule.level !== null) {
      if (LEVELS.indexOf(level) > LEVELS.indexOf(rule.level)) return false;
    } else if (!(rule.capabilities ?? []).some((c) => c === "*" || c === action)) {
      return false;
    }
    if (!referenceGlobMatches(rule.namespace, resource.namespace)) return false;
    if (!referenceGlobMatches(rule.name, resource.name)) return false;
    return rule.labels.every((selector) => {
      if (selector.key === "*" && selector.values.includes("*")) return true;
      if (!Object.hasOwn(resource.labels, selector.key)) return false;
      const value = resource.labels[selector.key];
      return selector.values.some((glob) => referenceGlobMatches(glob, value));
    });
  }
}

/** `scope` covers the namespace itself and everything below it; "" covers everything. */
export function namespaceInScope(namespace: string, scope: string): boolean {
  return scope === "" || namespace === scope || namespace.startsWith(scope + "/");
}

function sourceAllowed(sourceIp: string | null, cidrs: string[]): boolean {
  return sourceIp !== null && cidrs.some((cidr) => referenceInCidr(sourceIp, cidr));
}
