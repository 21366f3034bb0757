// createPolicy, updatePolicy, deletePolicy (docs/documents.md, docs/decisions.md). Every write goes
// through the PolicyWriter: validation and escalation checks see the state the
// write changes, the change record (old and new documents) commits with it, and
// the compiled engine is updated before the response.
//
// Choices where the specification is silent:
// - The stored document is the text as submitted (comments kept). An update whose
//   text, or parsed policy, equals the stored one is a no-op: same version, no
//   change record; what a write returns as `document` is therefore accepted back.
// - An update cannot rename: roles refer to policies by name. The document's name
//   must equal `name` ignoring case (a change of case is stored).
// - Creating or updating a policy requires the actor to hold everything its allow
//   rules describe (covers, scope ""), whether or not a role uses it yet. An update
//   that drops or changes a deny also requires the actor to cover every role that
//   reaches the policy, since the deny stops cutting those roles' other allows.
// - Built-in policies may be updated (they are data) but not deleted: CONFLICT.
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { parsePolicyDocument } from "../../engine";
import type { PolicyDoc } from "../../engine/types";
import { enginePrincipal } from "../engine-principal";
import { badInput, DomainError } from "../errors";
import type { PolicyRecord } from "../model";
import type { PolicyChange, PolicyWriter, WriteRequest } from "../policy/policy-writer";
import type { Principal } from "../principal";
import { documentChange, readDocument, reread } from "./document-input";
import { holdsEscalate, losesDeny, requireCovered, roleDocOf, rolesReaching } from "./escalation";
import { yieldToEventLoop } from "../event-loop";
import { keepingAdminPowers } from "../users/last-superuser";
import type { WriteStep } from "./write-step";

const change = (before: PolicyRecord | null, after: PolicyRecord | null) => documentChange("policy", before, after);

/** A created or updated policy: the engine takes its document, the audit its change. */
const written = (doc: PolicyDoc, before: PolicyRecord | null, after: PolicyRecord): PolicyChange<PolicyRecord> => ({
  result: after,
  apply: (e) => e.putPolicy(doc),
  record: change(before, after),
  resource: { type: "policy", name: doc.name },
});

const notFound = (name: string) => new DomainError("NOT_FOUND", `no policy named '${name}'`, { field: "name" });

/** createPolicy's validation, checks and write, inside a policy write. */
export async function createPolicyChange(
  { repos, engine, actor, refuse }: WriteStep,
  document: string,
): Promise<PolicyChange<PolicyRecord>> {
  const doc = readDocument("policy", () => parsePolicyDocument(document, engine.typeMap()));
  await yieldToEventLoop();
  const taken = await repos.policies.get(doc.name);
  if (taken) throw new DomainError("CONFLICT", `a policy named '${taken.name}' already exists`, { field: "name" });
  if (!holdsEscalate(engine, actor, ""))
    requireCovered(engine.covers(enginePrincipal(actor), doc.rules, ""), `policy ${doc.name}`, refuse);
  const now = new Date();
  const created: PolicyRecord = {
    id: randomUUID(),
    name: doc.name,
    description: doc.description,
    version: 1,
    builtIn: false,
    document,
    createdAt: now,
    updatedAt: now,
  };
  await repos.policies.create(created, actor.user.id);
  return written(doc, null, created);
}

/** updatePolicy's validation, checks and write, inside a policy write; no apply and no record when nothing changes. */
export async function updatePolicyChange(
  { repos, engine, actor, refuse, now = new Date(), inBundle }: WriteStep,
  name: string,
  document: string,
): Promise<PolicyChange<PolicyRecord>> {
  const existing = await repos.policies.get(name);
  if (!existing) throw notFound(name);
  const types = engine.typeMap();
  const doc = readDocument("policy", () => parsePolicyDocument(document, types));
  if (doc.name.toLowerCase() !== existing.name.toLowerCase()) {
    throw badInput(
      "document",
      `the document is policy '${doc.name}', not '${existing.name}'; policies cannot be renamed (roles refer to them by name)`,
    );
  }
  const old: PolicyDoc | null = reread(() => parsePolicyDocument(existing.document, types));
  if (document === existing.document || (old !== null && isDeepStrictEqual(old, doc))) return { result: existing };
  await yieldToEventLoop();

  if (!holdsEscalate(engine, actor, "")) {
    const principal = enginePrincipal(actor);
    requireCovered(engine.covers(principal, doc.rules, ""), `policy ${doc.name}`, refuse);
    if (old === null || losesDeny(old.rules, doc.rules)) {
      const key = existing.name.toLowerCase();
      const reached = rolesReaching(await repos.roles.all(), (r) => r.policies.some((p) => p.toLowerCase() === key));
      for (const role of reached) {
        requireCovered(
          engine.coversRole(principal, roleDocOf(role), ""),
          `dropping a deny from policy ${doc.name} (used through role ${role.name})`,
          refuse,
        );
      }
    }
  }
  const updated: PolicyRecord = {
    ...existing,
    name: doc.name,
    description: doc.description,
    version: existing.version + 1,
    document,
    updatedAt: new Date(),
  };
  const store = () => repos.policies.update(updated, actor.user.id);
  await (inBundle ? store() : keepingAdminPowers(repos, now, `updating policy ${existing.name}`, store));
  return written(doc, existing, updated);
}

/** deletePolicy's checks and write, inside a policy write. */
export async function deletePolicyChange({ repos }: WriteStep, name: string): Promise<PolicyChange<boolean>> {
  const existing = await repos.policies.get(name);
  if (!existing) throw notFound(name);
  const users = await repos.policies.usedBy(existing.name);
  if (users.length > 0)
    throw new DomainError("CONFLICT", `policy '${existing.name}' is used by role(s) ${users.join(", ")}`);
  if (existing.builtIn)
    throw new DomainError("CONFLICT", `policy '${existing.name}' is built in: it may be updated but not deleted`);
  await repos.policies.delete(existing.name);
  return {
    result: true,
    apply: (e) => e.deletePolicy(existing.name),
    record: change(existing, null),
    resource: { type: "policy", name: existing.name },
  };
}

export class PolicyService {
  constructor(private readonly writer: PolicyWriter) {}

  create(actor: Principal, document: string, requestId: string): Promise<PolicyRecord> {
    const request: WriteRequest = { actor, operation: "Mutation.createPolicy", requestId };
    return this.writer.write(request, (repos, engine) => createPolicyChange({ repos, engine, actor }, document));
  }

  update(actor: Principal, name: string, document: string, requestId: string): Promise<PolicyRecord> {
    const request: WriteRequest = { actor, operation: "Mutation.updatePolicy", requestId };
    return this.writer.write(request, (repos, engine) => updatePolicyChange({ repos, engine, actor }, name, document));
  }

  delete(actor: Principal, name: string, requestId: string): Promise<boolean> {
    const request: WriteRequest = { actor, operation: "Mutation.deletePolicy", requestId };
    return this.writer.write(request, (repos, engine) => deletePolicyChange({ repos, engine, actor }, name));
  }
}
