// createRole, updateRole, deleteRole (docs/concepts.md, docs/decisions.md), through the PolicyWriter
// like every policy-state write.
//
// Choices where the specification is silent:
// - The stored document is the text as submitted; an update whose text, or parsed
//   role, equals the stored one is a no-op (no version bump, no change record).
// - An update cannot rename (grants, mappings and other roles refer to roles by
//   name): the document's name must equal `name` ignoring case.
// - Escalation: the actor must cover everything the role would contribute
//   (coversRole, scope ""), granted yet or not; a superuser role needs a superuser.
//   An update that loses a deny the role used to contribute also requires covering
//   every role that inherits it. Holding `escalate` on the role lifts both.
// - An update or delete that would leave no ACTIVE superuser (a superuser role
//   made ordinary) is CONFLICT.
// - Built-in roles may be updated but not deleted: CONFLICT.
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { parseRoleDocument } from "../../engine";
import type { RoleDoc } from "../../engine/types";
import { roleRecordFromDoc } from "../bootstrap";
import { enginePrincipal } from "../engine-principal";
import { badInput, DomainError } from "../errors";
import type { RoleRecord } from "../model";
import type { PolicyChange, PolicyWriter, WriteRequest } from "../policy/policy-writer";
import type { Principal } from "../principal";
import { keepingAdminPowers, keepingASuperuser } from "../users/last-superuser";
import { expirePendingForRole } from "../access-requests/access-review-service";
import { documentChange, readDocument, reread } from "./document-input";
import { holdsEscalate, losesDeny, requireCovered, roleDocOf, rolesReaching } from "./escalation";
import type { WriteStep } from "./write-step";

const change = (before: RoleRecord | null, after: RoleRecord | null) => documentChange("role", before, after);

const notFound = (name: string) => new DomainError("NOT_FOUND", `no role named '${name}'`, { field: "name" });

/** Which fields of `role` refer to the role named `key` (lower-cased). */
function referencesTo(role: RoleRecord, key: string): string[] {
  const fields: Array<[string, string[]]> = [
    ["inherits", role.inherits],
    ["request.roles", role.requestableRoles],
    ["reviewRequests.roles", role.reviewableRoles],
  ];
  return fields.filter(([, names]) => names.some((n) => n.toLowerCase() === key)).map(([field]) => field);
}

/** createRole's validation, checks and write, inside a policy write. */
export async function createRoleChange(
  { repos, engine, actor, refuse }: WriteStep,
  document: string,
): Promise<PolicyChange<RoleRecord>> {
  const doc = readDocument("role", () => parseRoleDocument(document, engine.roleRefs()));
  const taken = await repos.roles.get(doc.name);
  if (taken) throw new DomainError("CONFLICT", `a role named '${taken.name}' already exists`, { field: "name" });
  if (!holdsEscalate(engine, actor, doc.name))
    requireCovered(engine.coversRole(enginePrincipal(actor), doc, ""), `role ${doc.name}`, refuse);
  const now = new Date();
  const created = roleRecordFromDoc(doc, document, {
    id: randomUUID(),
    builtIn: false,
    version: 1,
    createdAt: now,
    updatedAt: now,
  });
  await repos.roles.create(created);
  return {
    result: created,
    apply: (e) => e.putRole(doc),
    record: change(null, created),
    resource: { type: "role", name: doc.name },
  };
}

/** updateRole's validation, checks and write, inside a policy write; no apply and no record when nothing changes. */
export async function updateRoleChange(
  { repos, engine, actor, refuse, now = new Date(), inBundle }: WriteStep,
  name: string,
  document: string,
): Promise<PolicyChange<RoleRecord>> {
  const existing = await repos.roles.get(name);
  if (!existing) throw notFound(name);
  const refs = engine.roleRefs();
  const doc = readDocument("role", () => parseRoleDocument(document, refs));
  if (doc.name.toLowerCase() !== existing.name.toLowerCase()) {
    throw badInput(
      "document",
      `the document is role '${doc.name}', not '${existing.name}'; roles cannot be renamed (grants and other roles refer to them by name)`,
    );
  }
  const old: RoleDoc | null = reread(() => parseRoleDocument(existing.document, refs));
  if (document === existing.document || (old !== null && isDeepStrictEqual(old, doc))) return { result: existing };

  if (!holdsEscalate(engine, actor, doc.name)) {
    const principal = enginePrincipal(actor);
    requireCovered(engine.coversRole(principal, doc, ""), `role ${doc.name}`, refuse);
    if (losesDeny(engine.roleRules(old ?? roleDocOf(existing)), engine.roleRules(doc))) {
      const key = existing.name.toLowerCase();
      const heirs = rolesReaching(await repos.roles.all(), (r) => r.inherits.some((p) => p.toLowerCase() === key));
      for (const heir of heirs) {
        requireCovered(
          engine.coversRole(principal, roleDocOf(heir), ""),
          `dropping a deny from role ${doc.name} (inherited by role ${heir.name})`,
          refuse,
        );
      }
    }
  }
  const updated = roleRecordFromDoc(doc, document, {
    id: existing.id,
    builtIn: existing.builtIn,
    version: existing.version + 1,
    createdAt: existing.createdAt,
    updatedAt: new Date(),
  });
  const what = `updating role ${existing.name}`;
  const store = () => repos.roles.update(updated);
  await keepingASuperuser(repos, now, what, () => (inBundle ? store() : keepingAdminPowers(repos, now, what, store)));
  return {
    result: updated,
    apply: (e) => e.putRole(doc),
    record: change(existing, updated),
    resource: { type: "role", name: doc.name },
  };
}

/** deleteRole's checks and write, inside a policy write. */
export async function deleteRoleChange(
  { repos, now = new Date() }: WriteStep,
  name: string,
): Promise<PolicyChange<boolean>> {
  const existing = await repos.roles.get(name);
  if (!existing) throw notFound(name);
  if (existing.builtIn)
    throw new DomainError("CONFLICT", `role '${existing.name}' is built in: it may be updated but not deleted`);
  const key = existing.name.toLowerCase();
  const referrers = (await repos.roles.all()).flatMap((r) => {
    const fields = r.name.toLowerCase() === key ? [] : referencesTo(r, key);
    return fields.length > 0 ? [`${r.name} (${fields.join(", ")})`] : [];
  });
  // A role may name itself in request.roles or reviewRequests.roles (on-call reviewing on-call);
  // that reference goes with it and must not count as a use.
  if (referencesTo(existing, key).length > 0) {
    const others = (names: string[]) => names.filter((n) => n.toLowerCase() !== key);
    await repos.roles.update({
      ...existing,
      requestableRoles: others(existing.requestableRoles),
      reviewableRoles: others(existing.reviewableRoles),
    });
  }
  // Pending requests for the role cannot be granted any more: they expire with it, in this write.
  const expired = await expirePendingForRole(repos, existing.name, now);
  try {
    await keepingASuperuser(repos, now, `deleting role ${existing.name}`, () => repos.roles.delete(existing.name));
  } catch (err) {
    if (err instanceof DomainError && err.code === "CONFLICT" && referrers.length > 0) {
      throw new DomainError("CONFLICT", `${err.message}; referred to by role(s) ${referrers.join(", ")}`);
    }
    throw err;
  }
  return {
    result: true,
    apply: (e) => e.deleteRole(existing.name),
    record: change(existing, null),
    resource: { type: "role", name: existing.name },
    events: expired,
  };
}

export class RoleService {
  constructor(
    private readonly writer: PolicyWriter,
    private readonly now: () => Date = () => new Date(),
  ) {}

  create(actor: Principal, document: string, requestId: string): Promise<RoleRecord> {
    const request: WriteRequest = { actor, operation: "Mutation.createRole", requestId };
    return this.writer.write(request, (repos, engine) => createRoleChange({ repos, engine, actor }, document));
  }

  update(actor: Principal, name: string, document: string, requestId: string): Promise<RoleRecord> {
    const request: WriteRequest = { actor, operation: "Mutation.updateRole", requestId };
    return this.writer.write(request, (repos, engine) =>
      updateRoleChange({ repos, engine, actor, now: this.now() }, name, document),
    );
  }

  delete(actor: Principal, name: string, requestId: string): Promise<boolean> {
    const request: WriteRequest = { actor, operation: "Mutation.deleteRole", requestId };
    return this.writer.write(request, (repos, engine) =>
      deleteRoleChange({ repos, engine, actor, now: this.now() }, name),
    );
  }
}
