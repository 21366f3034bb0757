// can, canMany, effectivePermissions and whoCan: the engine's answers, about the
// caller or about someone else, each check audited before it is returned.
import type {
  Decision,
  DecisionContext,
  Permission,
  PermissionFilter,
  Principal as EnginePrincipal,
  Resource,
} from "../../engine/types";
import { namespaceProblem } from "../../engine";
import { actorFields, credentialMetadata } from "../audit/audit-actor";
import type { AuditLog } from "../audit/group-commit-audit-log";
import { callerContext, enginePrincipal } from "../engine-principal";
import { badInput, DomainError } from "../errors";
import type { PolicyRuntime } from "../policy/policy-runtime";
import type { Storage } from "../ports/storage.port";
import type { Principal } from "../principal";
import { noMetrics, secondsSince, type DecisionMetrics } from "../../observability/metric-ports";

/** Checks decided and audited at a time (one audit batch): bounds how long one step holds the event loop. */
const CHECK_CHUNK = 100;

export interface SubjectArg {
  userId?: string | null;
  email?: string | null;
  tokenId?: string | null;
}

export interface Subject {
  principal: EnginePrincipal;
  /** The user the decision is about (a token's owner); null for an unknown token. */
  userId: string | null;
  /** The subject is the caller (or one of the caller's tokens). */
  self: boolean;
  /** No subject was given: the question is about the calling credential itself. */
  implicit: boolean;
}

export class DecisionService {
  constructor(
    private readonly storage: Storage,
    private readonly runtime: PolicyRuntime,
    private readonly audit: AuditLog,
    private readonly metrics: DecisionMetrics = noMetrics,
  ) {}

  /** Whom a question is about. Unknown users are NOT_FOUND; an unknown token is decided (UNAUTHENTICATED). */
  async subject(caller: Principal, arg: SubjectArg | null | undefined): Promise<Subject> {
    const given = (["userId", "email", "tokenId"] as const).filter((k) => arg?.[k] != null);
    if (given.length > 1)
      throw badInput("subject", `give one of userId, email and tokenId, not ${given.join(" and ")}`);
    if (given.length === 0)
      return { principal: enginePrincipal(caller), userId: caller.user.id, self: true, implicit: true };
    if (arg!.tokenId != null) {
      const token = await this.storage.tokens.get(arg!.tokenId);
      return {
        principal: { kind: "token", tokenId: arg!.tokenId },
        userId: token?.ownerId ?? null,
        self: token?.ownerId === caller.user.id,
        implicit: false,
      };
    }
    const user =
      arg!.userId != null
        ? await this.storage.users.get(arg!.userId)
        : await this.storage.users.getByEmail(arg!.email!);
    if (!user)
      throw new DomainError(
        "NOT_FOUND",
        `no user with ${arg!.userId != null ? `id '${arg!.userId}'` : `email '${arg!.email}'`}`,
        { field: `subject.${given[0]}` },
      );
    return {
      principal: { kind: "user", userId: user.id },
      userId: user.id,
      self: user.id === caller.user.id,
      implicit: false,
    };
  }

  /**
   * Decides each check, records each as an audit event, and returns them in
   * input order. Works CHECK_CHUNK checks at a time, each chunk decided and its
   * events written before the next starts, so that neither deciding nor the
   * audit write of a long list holds the event loop.
   */
  async check(
    caller: Principal,
    subject: Subject,
    checks: Array<{ action: string; resource: Resource }>,
    context: DecisionContext,
    requestId: string,
  ): Promise<Decision[]> {
    const started = process.hrtime.bigint();
    const engine = this.runtime.engine();
    const actor = actorFields(caller, engine);
    const time = new Date();
    const metadata = new CheckMetadata(caller, subject, context);
    const decisions: Decision[] = [];
    for (let i = 0; i < checks.length; i += CHECK_CHUNK) {
      // A macrotask turn before each chunk of a long list: promise continuations alone (a SQLite
      // write resolves at once) would run every chunk in one turn, and other requests would wait.
      if (checks.length > CHECK_CHUNK) await new Promise<void>((resolve) => setImmediate(resolve));
      const chunk = checks.slice(i, i + CHECK_CHUNK);
      const decided = chunk.map((c) => engine.check(subject.principal, c.action, c.resource, context));
      await Promise.all(
        decided.map((d, j) =>
          this.audit.record({
            time,
            ...actor,
            operation: "check",
            action: chunk[j].action,
            resourceType: chunk[j].resource.type,
            resourceNamespace: chunk[j].resource.namespace,
            resourceName: chunk[j].resource.name,
            subjectId: subject.userId,
            decision: d.allowed ? "ALLOW" : "DENY",
            reason: d.reason,
            requestId,
            metadata: metadata.of(d, chunk[j].resource),
          }),
        ),
      );
      decisions.push(...decided);
    }
    const seconds = secondsSince(started);
    // One report per reason, not per decision: a canMany's checks mostly share one or two.
    const reasons = new Map<string, number>();
    for (const d of decisions) reasons.set(d.reason, (reasons.get(d.reason) ?? 0) + 1);
    for (const [reason, count] of reasons) this.metrics.decided("check", reason, seconds, count);
    return decisions;
  }

  /**
   * The facts a question is decided with: those the caller asserts; with none
   * asserted, the caller's own request when the question is about the calling
   * credential, else no MFA and no known address (docs/decisions.md).
   */
  contextFor(caller: Principal, subject: Subject, asserted: DecisionContext | null): DecisionContext {
    return asserted ?? (subject.implicit ? callerContext(caller) : { mfa: false, sourceIp: null });
  }

  effectivePermissions(subject: Subject, filter: PermissionFilter): Permission[] {
    const problem = filter.namespace == null ? null : namespaceProblem(filter.namespace);
    if (problem !== null) throw badInput("namespace", `'${filter.namespace!.slice(0, 80)}' ${problem}`);
    return this.runtime.engine().effectivePermissions(subject.principal, filter);
  }

  whoCan(action: string, resource: Resource, context: DecisionContext): string[] {
    return this.runtime.engine().whoCan(action, resource, context);
  }
}

/**
 * The metadata of a call's check events: the credential's, the subject token's,
 * what decided it, the resource's labels and the facts it was decided with. The
 * events of one call share one object per rule that decided them (nothing
 * changes an event's metadata once it is recorded), so that a canMany of many
 * checks does not build the same object over and over, and the audit writer
 * thread writes each out once.
 */
class CheckMetadata {
  private readonly base: Record<string, unknown>;
  private readonly context: { mfa: boolean; sourceIp: string | null };
  private readonly byRule = new Map<string, Record<string, unknown>>();

  constructor(caller: Principal, subject: Subject, context: DecisionContext) {
    this.base = {
      ...credentialMetadata(caller),
      ...(subject.principal.kind === "token" ? { subjectTokenId: subject.principal.tokenId } : {}),
    };
    this.context = { mfa: context.mfa, sourceIp: context.sourceIp };
  }

  of(d: Decision, resource: Resource): Record<string, unknown> {
    // Kept so that a replay (a bundle's plan) can ask the same question again.
    const labelled = Object.keys(resource.labels).length > 0;
    if (labelled) return this.build(d, resource.labels);
    // The engine gives each decision its own RuleRef: rules are told apart by what the RuleRef says.
    const by = d.decidedBy;
    const key = by ? `${by.policy}\n${by.ruleIndex}\n${by.role ?? ""}\n${by.grantId ?? ""}` : "";
    let shared = this.byRule.get(key);
    if (shared === undefined) this.byRule.set(key, (shared = this.build(d, null)));
    return shared;
  }

  private build(d: Decision, labels: Resource["labels"] | null): Record<string, unknown> {
    return {
      ...this.base,
      ...(d.decidedBy ? { decidedBy: d.decidedBy } : {}),
      ...(labels ? { labels } : {}),
      context: this.context,
    };
  }
}
