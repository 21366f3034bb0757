// Turns an evaluation outcome into a Decision: the reason, the rule that decided
// (decidedBy) and plain-English steps, most important first. The phrases for a
// grant and a rule are built once and kept on them, so wording a decision costs
// a few string concatenations.

import type { CompiledRule } from "./compiled-rule";
import type { CompiledRole, RoleMember } from "./compiled-role";
import {
  OUTCOME_ALLOW,
  OUTCOME_DENY,
  OUTCOME_MFA,
  OUTCOME_SOURCE,
  OUTCOME_SUPERUSER,
  type Outcome,
} from "./decision-evaluator";
import type { GrantEntry } from "./grant-entry";
import type { Decision, DecisionContext, DecisionReason, Resource, RuleRef } from "./types";

/** What was asked, for the wording. */
export interface Question {
  userId: string;
  tokenId: string | null;
  capability: string;
  resource: Resource;
  context: DecisionContext;
}

export const decision = (
  allowed: boolean,
  reason: DecisionReason,
  decidedBy: RuleRef | null,
  explanation: string[],
): Decision => ({ allowed, reason, decidedBy, explanation });

export function ruleRef(rule: CompiledRule | null, entry: GrantEntry | null): RuleRef | null {
  if (rule === null || entry === null) return null;
  return { policy: rule.policy, ruleIndex: rule.ruleIndex, role: entry.roleName, grantId: entry.grantId };
}

/** "user alice" or "token t1 of user alice". */
export const subjectOf = (q: Question): string =>
  q.tokenId === null ? `user ${q.userId}` : `token ${q.tokenId} of user ${q.userId}`;

/** "role developer granted in scope prod (grant g7)". */
export function grantPhrase(entry: GrantEntry): string {
  if (entry.phrase !== null) return entry.phrase;
  if (entry.grant === null)
    return (entry.phrase = `role ${entry.roleName}${entry.tokenId === null ? "" : ` of token ${entry.tokenId}`}`);
  const subject = entry.grant.subject;
  const to = subject.type === "GROUP" ? `to group ${subject.group} ` : "";
  const where = entry.scope === "" ? "everywhere" : `in scope ${entry.scope}`;
  return (entry.phrase = `role ${entry.roleName} granted ${to}${where} (grant ${entry.grant.id})`);
}

/** "rules[3] of policy deployer-prod via role developer granted in scope prod (grant g7)". */
export function rulePhrase(rule: CompiledRule, member: RoleMember, entry: GrantEntry): string {
  const via = `rules[${rule.ruleIndex}] of policy ${rule.policy} via ${grantPhrase(entry)}`;
  return member.inherited ? `${via}; the rule comes from role ${member.name}, which ${entry.roleName} inherits` : via;
}

export function target(capability: string, r: Resource): string {
  return `${r.type}:${capability} on '${r.name}' in namespace '${r.namespace}'`;
}

function mfaSource(rule: CompiledRule, entry: GrantEntry): string {
  return rule.requireMfa
    ? "the rule requires MFA (when.mfa)"
    : `role ${entry.roleName} or a role it inherits requires MFA for every session (requireSessionMfa)`;
}

/** The reason an outcome is reported as. */
function reasonOf(kind: number): DecisionReason {
  switch (kind) {
    case OUTCOME_SUPERUSER:
      return "SUPERUSER";
    case OUTCOME_ALLOW:
      return "ALLOWED";
    case OUTCOME_DENY:
      return "EXPLICIT_DENY";
    case OUTCOME_MFA:
      return "MFA_REQUIRED";
    case OUTCOME_SOURCE:
      return "SOURCE_NOT_ALLOWED";
    default:
      return "NO_MATCHING_RULE";
  }
}

/**
 * A Decision whose explanation is worded on first read: most callers (the
 * guard, gateways asking `can { allowed }`, the audit) never read it, and
 * wording it was most of what a check allocated. Reads like a plain Decision:
 * `explanation` is an enumerable property and JSON includes it.
 */
class ExplainedDecision implements Decision {
  readonly allowed: boolean;
  readonly reason: DecisionReason;
  readonly decidedBy: RuleRef | null;
  #steps: string[] | null = null;
  readonly #kind: number;
  readonly #rule: CompiledRule | null;
  readonly #member: RoleMember | null;
  readonly #entry: GrantEntry | null;
  readonly #q: Question;
  readonly #superRole: CompiledRole | null;
  readonly #note: string | null;

  constructor(out: Outcome, q: Question, superRole: CompiledRole | null, note: string | null) {
    this.#kind = out.kind;
    this.#rule = out.rule;
    this.#member = out.member;
    this.#entry = out.entry;
    this.#q = q;
    this.#superRole = superRole;
    this.#note = note;
    this.allowed = out.kind === OUTCOME_ALLOW || out.kind === OUTCOME_SUPERUSER;
    this.reason = reasonOf(out.kind);
    this.decidedBy = out.kind === OUTCOME_SUPERUSER ? null : ruleRef(out.rule, out.entry);
  }

  get explanation(): string[] {
    if (this.#steps === null) {
      const steps = stepsFor(this.#kind, this.#rule, this.#member, this.#entry, this.#q, this.#superRole);
      if (this.#note !== null) steps.push(this.#note);
      this.#steps = steps;
    }
    return this.#steps;
  }

  toJSON(): Decision {
    return { allowed: this.allowed, reason: this.reason, decidedBy: this.decidedBy, explanation: this.explanation };
  }
}
// Enumerable, as on a plain Decision: deep comparisons and for-in see it.
Object.defineProperty(ExplainedDecision.prototype, "explanation", { enumerable: true });

/**
 * The Decision for an evaluated outcome. `superRole` is the compiled role of a
 * superuser entry; `note` (if any) is appended to the explanation. The outcome
 * is copied: the caller may reuse it.
 */
export function explainOutcome(
  out: Outcome,
  q: Question,
  superRole: CompiledRole | null,
  note: string | null,
): Decision {
  return new ExplainedDecision(out, q, superRole, note);
}

function stepsFor(
  kind: number,
  rule: CompiledRule | null,
  member: RoleMember | null,
  entry: GrantEntry | null,
  q: Question,
  superRole: CompiledRole | null,
): string[] {
  switch (kind) {
    case OUTCOME_SUPERUSER: {
      const source = superRole?.superuserSource ?? entry!.roleName;
      const via =
        source.toLowerCase() === entry!.roleName.toLowerCase() ? "" : ` (inherited from superuser role ${source})`;
      return [
        `allowed: ${subjectOf(q)} holds superuser ${grantPhrase(entry!)}${via}`,
        "a superuser role allows everything; deny rules do not apply to it",
      ];
    }
    case OUTCOME_DENY:
      return [`denied by ${rulePhrase(rule!, member!, entry!)}`, "a matching deny rule overrides any allow"];
    case OUTCOME_ALLOW: {
      const steps = [`allowed by ${rulePhrase(rule!, member!, entry!)}`];
      if (rule!.requireMfa || member!.mfa) steps.push(`${mfaSource(rule!, entry!)}, and the request has MFA`);
      if (rule!.cidrs !== null)
        steps.push(`the request came from ${q.context.sourceIp}, inside ${rule!.spec.sourceCidrs.join(", ")}`);
      return steps;
    }
    case OUTCOME_MFA:
      return [
        `MFA required: ${rulePhrase(rule!, member!, entry!)} would allow ${target(q.capability, q.resource)}, but ${mfaSource(rule!, entry!)} and the request has no MFA`,
        "stepping up to MFA would allow it",
      ];
    case OUTCOME_SOURCE: {
      const from = q.context.sourceIp
        ? `the request came from ${q.context.sourceIp}`
        : "the request's address is unknown";
      const steps = [
        `source not allowed: ${rulePhrase(rule!, member!, entry!)} would allow ${target(q.capability, q.resource)}, but only from ${rule!.spec.sourceCidrs.join(", ")}; ${from}`,
      ];
      if ((rule!.requireMfa || member!.mfa) && !q.context.mfa)
        steps.push(`that rule also needs MFA: ${mfaSource(rule!, entry!)}`);
      return steps;
    }
    default:
      return [`no rule allows ${subjectOf(q)} to ${target(q.capability, q.resource)}`, "denied by default"];
  }
}
