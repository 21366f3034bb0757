// A role flattened for decisions: its members (the role and every role it
// inherits, each with the MFA requirement it adds, docs/documents.md) and, for each
// member, its compiled policies. Rules stay in their policies (shared by every
// role that includes them); a role only says which policies apply and through
// which member.

import type { CompiledPolicy } from "./compiled-policy";
import type { CompiledRule } from "./compiled-rule";
import { roleClosure, roleKey } from "./role-closure";
import type { RoleDoc } from "./types";

export interface RoleMember {
  /** The role whose policies these are (the role itself or one it inherits). */
  name: string;
  /** Whether this member is a role the compiled role inherits (rather than the role itself). */
  inherited: boolean;
  /** Whether allows contributed through this member need MFA (requireSessionMfa on the way). */
  mfa: boolean;
}

/** One rule as contributed to a role, for listings and escalation checks. */
export interface RoleRule {
  rule: CompiledRule;
  policy: string;
  ruleIndex: number;
  sourceRole: string;
  member: RoleMember;
  deny: boolean;
  /** The rule's own `when.mfa`, or the member's. Always false for denies. */
  requireMfa: boolean;
}

export interface PolicyLookup {
  policy(name: string): CompiledPolicy | undefined;
  role(name: string): RoleDoc | undefined;
}

export class CompiledRole {
  readonly superuser: boolean;
  /** The member of the closure that is a superuser role, when there is one. */
  readonly superuserSource: string | null = null;
  /** The policies that apply, each with the member it comes through (parallel arrays, for locality). */
  readonly policies: CompiledPolicy[] = [];
  readonly members: RoleMember[] = [];
  /** Lower-cased names of every role and policy this one was built from, for invalidation. */
  readonly roleKeys = new Set<string>();
  readonly policyKeys = new Set<string>();
  /** Members of the closure with their MFA requirement, keyed by lower-cased role name. */
  readonly memberMfa = new Map<string, boolean>();
  /** Union of the policies' hash filters, and of the pair filters of their glob-only rules. */
  nsLo = 0;
  nsHi = 0;
  nameLo = 0;
  nameHi = 0;
  wildLo = 0;
  wildHi = 0;
  private ruleList: RoleRule[] | null = null;

  constructor(
    readonly name: string,
    doc: RoleDoc | undefined,
    lookup: PolicyLookup,
  ) {
    this.roleKeys.add(roleKey(name));
    const members = doc === undefined ? [] : roleClosure(doc, (n) => lookup.role(n));
    for (const { doc: memberDoc, mfa } of members) {
      if (memberDoc.superuser && this.superuserSource === null) this.superuserSource = memberDoc.name;
      const member: RoleMember = { name: memberDoc.name, inherited: memberDoc !== doc, mfa };
      this.memberMfa.set(roleKey(memberDoc.name), mfa);
      this.roleKeys.add(roleKey(memberDoc.name));
      for (const parent of memberDoc.inherits) this.roleKeys.add(roleKey(parent));
      for (const policyName of memberDoc.policies) {
        this.policyKeys.add(policyName.toLowerCase());
        const policy = lookup.policy(policyName);
        if (policy === undefined) continue;
        this.policies.push(policy);
        this.members.push(member);
        this.nsLo |= policy.nsLo;
        this.nsHi |= policy.nsHi;
        this.nameLo |= policy.nameLo;
        this.nameHi |= policy.nameHi;
        this.wildLo |= policy.wildLo;
        this.wildHi |= policy.wildHi;
      }
    }
    this.superuser = this.superuserSource !== null;
  }

  /** Every contributed rule in order: the role's own policies first, then inherited roles depth-first. */
  get rules(): RoleRule[] {
    if (this.ruleList !== null) return this.ruleList;
    const list: RoleRule[] = [];
    this.policies.forEach((policy, i) => {
      const member = this.members[i];
      for (const rule of policy.rules) {
        list.push({
          rule,
          policy: rule.policy,
          ruleIndex: rule.ruleIndex,
          sourceRole: member.name,
          member,
          deny: rule.deny,
          requireMfa: !rule.deny && (rule.requireMfa || member.mfa),
        });
      }
    });
    return (this.ruleList = list);
  }
}
