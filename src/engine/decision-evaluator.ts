// The decision loop (docs/decisions.md, steps 3-6) over a list of grants:
//   1. a superuser role in a live, in-scope grant decides;
//   2. the candidate rules are gathered: for each live, in-scope grant, each
//      policy of its role, the groups under the resource's literal namespace
//      and/or name and the policy's glob rules, for the requested (type,
//      capability);
//   3. any candidate deny that matches decides;
//   4. else the first candidate allow that matches and whose conditions hold.
// Every deny is looked at before any allow can decide, so the outcome does not
// depend on rule order. Working state lives in fields and reused arrays.

import { parseIp, type IpAddress } from "./cidr-matcher";
import { labelsMatch, nameMatches, namespaceMatches, ruleCovers, type CompiledRule } from "./compiled-rule";
import type { CompiledPolicy } from "./compiled-policy";
import type { RoleMember } from "./compiled-role";
import { ANY_HASH, findSlot, hashText, mayContain, SLOT, slotOf } from "./literal-table";
import { inScope, isLive, type GrantEntry } from "./grant-entry";
import type { PolicyIndex } from "./policy-index";
import { pairHi, pairLo, type RuleGroup } from "./rule-group";
import type { DecisionContext, Resource } from "./types";

export const OUTCOME_NONE = 0;
export const OUTCOME_SUPERUSER = 1;
export const OUTCOME_DENY = 2;
export const OUTCOME_ALLOW = 3;
export const OUTCOME_MFA = 4;
export const OUTCOME_SOURCE = 5;

/** The result of one evaluation: what decided, through which role member and grant. */
export class Outcome {
  kind = OUTCOME_NONE;
  rule: CompiledRule | null = null;
  member: RoleMember | null = null;
  entry: GrantEntry | null = null;

  set(kind: number, rule: CompiledRule | null, member: RoleMember | null, entry: GrantEntry | null): void {
    this.kind = kind;
    this.rule = rule;
    this.member = member;
    this.entry = entry;
  }

  get allowed(): boolean {
    return this.kind === OUTCOME_ALLOW || this.kind === OUTCOME_SUPERUSER;
  }
}

const NO_LABELS: Record<string, string> = {};

/** The time of a decision, read at most once and only when a time bound matters. */
export interface Clock {
  now(): number;
}

/** Candidate flags: the namespace / name is already known to match (found under that literal). */
const KNOWN_NAMESPACE = 1;
const KNOWN_NAME = 2;

export class DecisionEvaluator {
  private namespace = "";
  private name = "";
  private labels: Record<string, string> = NO_LABELS;
  private mfa = false;
  private sourceIp: string | null = null;
  private address: IpAddress | null | undefined = undefined;
  /** One-entry memo: callers usually ask many questions from one address. */
  private lastIpText: string | null = null;
  private lastIp: IpAddress | null = null;
  private type = "";
  private capability = "";
  private level = -1;
  private infrastructure = false;
  /** The one-bit pair filter (rule-group.ts) of the requested pair. */
  private pairLo = 0;
  private pairHi = 0;
  /** Scratch: the live, in-scope grants of the current evaluation. */
  private readonly grants: GrantEntry[] = [];
  /** Scratch: candidate rules with their member, grant and KNOWN_* flags. */
  private readonly rules: CompiledRule[] = [];
  private readonly members: RoleMember[] = [];
  private readonly owners: GrantEntry[] = [];
  private readonly flags: number[] = [];
  private count = 0;

  constructor(private readonly index: PolicyIndex) {}

  /** The address of the request being evaluated, parsed on first use. */
  private ip(): IpAddress | null {
    if (this.address !== undefined) return this.address;
    const text = this.sourceIp;
    if (typeof text !== "string") return (this.address = null);
    if (text !== this.lastIpText) {
      this.lastIpText = text;
      this.lastIp = parseIp(text);
    }
    return (this.address = this.lastIp);
  }

  /**
   * Evaluates `capability` of `resource.type` (pair id `pair`, level index
   * `level`) through the live, in-scope grants among `entries`. `pair` is -1 when
   * the type or capability is unknown: then only a superuser role can allow.
   */
  evaluate(
    out: Outcome,
    entries: readonly GrantEntry[],
    clock: Clock,
    resource: Resource,
    capability: string,
    pair: number,
    level: number,
    infrastructure: boolean,
    context: DecisionContext,
  ): void {
    const index = this.index;
    const namespace = resource.namespace;
    const grants = this.grants;
    let n = 0;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (!e.active || (e.bounded && !isLive(e, clock.now())) || !inScope(e, namespace)) continue;
      if (e.role === null || e.epoch !== index.epoch) index.roleOf(e);
      if (e.superuser) return out.set(OUTCOME_SUPERUSER, null, null, e);
      grants[n++] = e;
    }
    if (pair < 0 || n === 0) return out.set(OUTCOME_NONE, null, null, null);
    this.namespace = namespace;
    this.name = resource.name;
    this.labels = resource.labels ?? NO_LABELS;
    this.mfa = context.mfa === true;
    this.sourceIp = context.sourceIp;
    this.address = undefined;
    this.type = resource.type;
    this.capability = capability;
    this.level = level;
    this.infrastructure = infrastructure;
    const lo = (this.pairLo = pairLo(pair));
    const hi = (this.pairHi = pairHi(pair));
    this.count = 0;

    let nsHash = 0;
    let nameHash = 0;
    let hashed = false;
    for (let i = 0; i < n; i++) {
      const grant = grants[i];
      if (((grant.wildLo & lo) | (grant.wildHi & hi)) === 0) {
        // No glob-only rule of the role covers the pair, and the role-wide
        // filters usually show that none of its policies has a group for this resource.
        if (!hashed) {
          nsHash = hashText(namespace);
          nameHash = hashText(this.name);
          hashed = true;
        }
        if (!mayContain(grant.nsLo, grant.nsHi, nsHash) && !mayContain(grant.nameLo, grant.nameHi, nameHash)) continue;
      }
      const policies = grant.policies;
      for (let p = 0; p < policies.length; p++) {
        const policy = policies[p];
        const member = grant.members[p];
        if (policy.groupCount > 0) {
          if (!hashed) {
            nsHash = hashText(namespace);
            nameHash = hashText(this.name);
            hashed = true;
          }
          if (mayContain(policy.nsLo, policy.nsHi, nsHash)) {
            this.lookup(policy, nsHash, nameHash, namespace, this.name, pair, member, grant);
            this.lookup(policy, nsHash, ANY_HASH, namespace, null, pair, member, grant);
          }
          if (mayContain(policy.nameLo, policy.nameHi, nameHash))
            this.lookup(policy, ANY_HASH, nameHash, null, this.name, pair, member, grant);
        }
        if (((policy.wildLo & lo) | (policy.wildHi & hi)) !== 0) this.gather(policy.wild, pair, member, grant, 0);
      }
    }

    const count = this.count;
    const rules = this.rules;
    for (let k = 0; k < count; k++) {
      if (rules[k].deny && this.matches(rules[k], this.flags[k]))
        return out.set(OUTCOME_DENY, rules[k], this.members[k], this.owners[k]);
    }
    let mfaOnly = -1;
    let source = -1;
    for (let k = 0; k < count; k++) {
      const rule = rules[k];
      if (rule.deny || !this.matches(rule, this.flags[k])) continue;
      const mfaFailed = (rule.requireMfa || this.members[k].mfa) && !this.mfa;
      const sourceFailed = rule.cidrs !== null && !rule.cidrs.containsAddress(this.ip());
      if (!mfaFailed && !sourceFailed) return out.set(OUTCOME_ALLOW, rule, this.members[k], this.owners[k]);
      if (!sourceFailed) {
        if (mfaOnly < 0) mfaOnly = k;
      } else if (source < 0) {
        source = k;
      }
    }
    const k = mfaOnly >= 0 ? mfaOnly : source;
    if (k < 0) out.set(OUTCOME_NONE, null, null, null);
    else out.set(mfaOnly >= 0 ? OUTCOME_MFA : OUTCOME_SOURCE, rules[k], this.members[k], this.owners[k]);
  }

  /**
   * Adds the rules of the policy's group keyed (namespace, name) (null = glob)
   * that cover the requested capability. The hashes find the group; the strings
   * are compared only once some rule there is relevant, which is rare.
   */
  private lookup(
    policy: CompiledPolicy,
    a: number,
    b: number,
    namespace: string | null,
    name: string | null,
    pair: number,
    member: RoleMember,
    grant: GrantEntry,
  ): void {
    const slots = policy.slots;
    const mask = policy.mask;
    const literal = policy.literal;
    for (
      let slot = findSlot(slots, mask, a, b, slotOf(a, b, mask));
      slot >= 0;
      slot = findSlot(slots, mask, a, b, (slot + 1) & mask)
    ) {
      let value = slots[slot * SLOT + 2];
      if (value < 0) value = policy.slotValue(slot);
      // The group's pair filter: none of its rules covers the pair.
      if (((slots[slot * SLOT + 4] & this.pairLo) | (slots[slot * SLOT + 5] & this.pairHi)) === 0) continue;
      const start = value - 1;
      const count = slots[slot * SLOT + 3];
      const flags = (namespace !== null ? KNOWN_NAMESPACE : 0) | (name !== null ? KNOWN_NAME : 0);
      const first = this.count;
      if (count < 0) {
        this.gather(policy.large[-count - 1], pair, member, grant, flags);
      } else {
        for (let k = start; k < start + count; k++) {
          if (ruleCovers(literal[k], this.type, this.infrastructure, this.capability, this.level))
            this.add(literal[k], member, grant, flags);
        }
      }
      if (this.count === first) continue;
      const rule = literal[start];
      if (rule.namespaceLiteral === namespace && rule.nameLiteral === name) return;
      this.count = first; // a hash collision: not this group after all
    }
  }

  /** Adds the rules of a group that cover the requested capability. */
  private gather(group: RuleGroup, pair: number, member: RoleMember, grant: GrantEntry, flags: number): void {
    const offsets = group.offsets;
    if (offsets !== null) {
      const flat = group.flat!;
      for (let k = offsets[pair], end = offsets[pair + 1]; k < end; k++) this.add(flat[k], member, grant, flags);
      return;
    }
    const rules = group.rules;
    for (let k = 0; k < rules.length; k++) {
      if (ruleCovers(rules[k], this.type, this.infrastructure, this.capability, this.level))
        this.add(rules[k], member, grant, flags);
    }
  }

  private add(rule: CompiledRule, member: RoleMember, grant: GrantEntry, flags: number): void {
    const k = this.count++;
    this.rules[k] = rule;
    this.members[k] = member;
    this.owners[k] = grant;
    this.flags[k] = flags;
  }

  private matches(r: CompiledRule, flags: number): boolean {
    return (
      ((flags & KNOWN_NAMESPACE) !== 0 || namespaceMatches(r, this.namespace)) &&
      ((flags & KNOWN_NAME) !== 0 || nameMatches(r, this.name)) &&
      (r.labels === null || labelsMatch(r.labels, this.labels))
    );
  }
}
