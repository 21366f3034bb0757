// Runs a validated bundle inside one policy-state transaction, object by object,
// through the very functions the single mutations use (createPolicyChange,
// updateRoleChange, setSsoMappingsChange…): same validation, same escalation
// checks, same stored form and change records. Each change is applied to a
// scratch engine at once, so the next object is judged against the state the
// earlier ones leave, exactly as if the mutations had been called one by one.
//
// Order: resource types; policies; roles (those another bundle role refers to
// first); SSO mappings; then what prune removes: roles (referrers first), then
// policies. Built-in objects are never pruned.
import { stringify } from "yaml";
import { createTwoFilesPatch } from "diff";
import type { Engine } from "../../engine";
import { createPolicyChange, deletePolicyChange, updatePolicyChange } from "../access-model/policy-service";
import { registerResourceTypeChange } from "../access-model/resource-type-service";
import { createRoleChange, deleteRoleChange, updateRoleChange } from "../access-model/role-service";
import type { WriteStep } from "../access-model/write-step";
import { DomainError } from "../errors";
import type { RoleRecord, SsoMappingRecord } from "../model";
import type { ChangeEvent, PolicyChange, WriteEvent } from "../policy/policy-writer";
import { setSsoMappingsChange, type SsoMappingsResult } from "../sso/sso-mapping-service";
import { adminPowersBefore, assertAdminPowersKept } from "../users/last-superuser";
import { documentPath, refusedBundle, type Bundle, type BundleItem } from "./bundle-document";

export type ChangeAction = "create" | "update" | "delete";

export interface ObjectChange {
  kind: BundleItem["kind"];
  name: string;
  action: ChangeAction;
  /** Unified diff of the object's YAML (old → new). */
  diff: string;
}

export interface BundleEscalation {
  kind: BundleItem["kind"];
  name: string;
  /** `type:capability` missing, when one is named. */
  capability: string | null;
  message: string;
}

export interface BundleRun {
  changes: ObjectChange[];
  /** Applies every change to an engine (the live one, after commit). */
  apply: (engine: Engine) => void;
  /** One change record per object changed, with the operation the single mutation writes. */
  events: ChangeEvent[];
  /** Further events those writes record (access requests expired with a deleted role). */
  extraEvents: WriteEvent[];
  /** Refusals collected instead of thrown (a dry run). */
  escalations: BundleEscalation[];
  /** Lower-cased names changed, for the access diff. */
  touched: { policies: Set<string>; roles: Set<string>; types: boolean };
  /** Users whose SSO grants were recomputed. */
  ssoUsers: string[];
}

const OPERATIONS: Record<BundleItem["kind"], Record<ChangeAction, string>> = {
  policy: { create: "Mutation.createPolicy", update: "Mutation.updatePolicy", delete: "Mutation.deletePolicy" },
  role: { create: "Mutation.createRole", update: "Mutation.updateRole", delete: "Mutation.deleteRole" },
  resourceType: {
    create: "Mutation.registerResourceType",
    update: "Mutation.registerResourceType",
    delete: "Mutation.registerResourceType",
  },
  ssoMappings: {
    create: "Mutation.setSsoMappings",
    update: "Mutation.setSsoMappings",
    delete: "Mutation.setSsoMappings",
  },
};

/** A unified diff between two YAML texts, headed `a/<kind>/<name>` and `b/<kind>/<name>` (`/dev/null` for a side that does not exist). */
export function yamlDiff(kind: string, name: string, before: string | null, after: string | null): string {
  const patch = createTwoFilesPatch(
    before === null ? "/dev/null" : `a/${kind}/${name}`,
    after === null ? "/dev/null" : `b/${kind}/${name}`,
    before ?? "",
    after ?? "",
    "",
    "",
    { context: 3 },
  );
  return patch.replace(/^=+\n/, "");
}

function mappingsYaml(provider: string, mappings: readonly SsoMappingRecord[]): string | null {
  if (mappings.length === 0) return null;
  return stringify({
    kind: "ssoMappings",
    provider,
    mappings: mappings.map((m) => ({ group: m.group, role: m.role, scope: m.scope })),
  });
}

/** Roles in an order where every bundle role another one refers to comes first (reference cycles keep document order). */
function rolesInOrder(items: BundleItem[]): BundleItem[] {
  const byName = new Map(items.map((i) => [i.name.toLowerCase(), i]));
  const out: BundleItem[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (item: BundleItem) => {
    const k = item.name.toLowerCase();
    if (state.has(k)) return;
    state.set(k, "visiting");
    for (const ref of item.roleRefs) {
      const dep = byName.get(ref.toLowerCase());
      if (dep !== undefined) visit(dep);
    }
    state.set(k, "done");
    out.push(item);
  };
  items.forEach(visit);
  return out;
}

/** Roles to prune, each after every role that refers to it. */
function pruneOrder(roles: RoleRecord[]): RoleRecord[] {
  const names = new Set(roles.map((r) => r.name.toLowerCase()));
  const out: RoleRecord[] = [];
  const done = new Set<string>();
  const refersTo = (r: RoleRecord, k: string) =>
    [...r.inherits, ...r.requestableRoles, ...r.reviewableRoles].some((n) => n.toLowerCase() === k);
  const visit = (role: RoleRecord) => {
    const k = role.name.toLowerCase();
    if (done.has(k)) return;
    done.add(k);
    for (const other of roles)
      if (other !== role && names.has(other.name.toLowerCase()) && refersTo(other, k)) visit(other);
    out.push(role);
  };
  roles.forEach(visit);
  return out;
}

/**
 * Runs the bundle against `step.engine`, a scratch engine it updates as it goes.
 * With `collect`, escalation refusals are listed in `escalations` (a dry run)
 * instead of thrown.
 */
export async function runBundle(step: WriteStep, bundle: Bundle, now: Date, collect: boolean): Promise<BundleRun> {
  const scratch = step.engine;
  const run: BundleRun = {
    changes: [],
    apply: () => undefined,
    events: [],
    extraEvents: [],
    escalations: [],
    touched: { policies: new Set(), roles: new Set(), types: false },
    ssoUsers: [],
  };
  const applies: Array<(engine: Engine) => void> = [];
  const { repos } = step;
  const adminBefore = await adminPowersBefore(repos);

  const perform = async <T>(
    item: { kind: BundleItem["kind"]; name: string; index: number | null; locate?: BundleItem["locate"] },
    action: ChangeAction,
    write: (s: WriteStep) => Promise<PolicyChange<T>>,
    texts: (result: T) => [string | null, string | null],
  ): Promise<void> => {
    const refuse = !collect
      ? undefined
      : (err: DomainError) => {
          run.escalations.push({
            kind: item.kind,
            name: item.name,
            capability: err.details.capability ?? null,
            message: err.message,
          });
        };
    let change: PolicyChange<T>;
    try {
      change = await write({ ...step, refuse, now, inBundle: true });
    } catch (err) {
      // A document's problem found only now (a level change, a rename) is reported at its place in the bundle.
      if (
        err instanceof DomainError &&
        err.code === "BAD_USER_INPUT" &&
        item.index !== null &&
        item.locate !== undefined
      ) {
        const path = err.details.field ?? "document";
        const { line, column } = item.locate(path);
        throw refusedBundle([{ path: documentPath(item.index, path), message: err.message, line, column }]);
      }
      throw err;
    }
    if (!change.apply && !change.record) return;
    change.apply?.(scratch);
    if (change.apply) applies.push(change.apply);
    if (change.record)
      run.events.push({ operation: OPERATIONS[item.kind][action], record: change.record, resource: change.resource });
    run.extraEvents.push(...(change.events ?? []));
    const [before, after] = texts(change.result);
    run.changes.push({ kind: item.kind, name: item.name, action, diff: yamlDiff(item.kind, item.name, before, after) });
    if (item.kind === "policy") run.touched.policies.add(item.name.toLowerCase());
    if (item.kind === "role") run.touched.roles.add(item.name.toLowerCase());
    if (item.kind === "resourceType") run.touched.types = true;
  };

  const ofKind = (kind: BundleItem["kind"]) => bundle.items.filter((i) => i.kind === kind);
  for (const item of ofKind("resourceType")) {
    const existing = await repos.resourceTypes.get(item.name);
    await perform(
      item,
      existing ? "update" : "create",
      (s) => registerResourceTypeChange(s, item.text),
      (saved) => [
        existing ? stringify({ kind: "resourceType", name: existing.name, capabilities: existing.capabilities }) : null,
        stringify({ kind: "resourceType", name: saved.name, capabilities: saved.capabilities }),
      ],
    );
  }
  for (const item of ofKind("policy")) {
    const existing = await repos.policies.get(item.name);
    if (existing === null)
      await perform(
        item,
        "create",
        (s) => createPolicyChange(s, item.text),
        (p) => [null, p.document],
      );
    else
      await perform(
        item,
        "update",
        (s) => updatePolicyChange(s, existing.name, item.text),
        (p) => [existing.document, p.document],
      );
  }
  for (const item of rolesInOrder(ofKind("role"))) {
    const existing = await repos.roles.get(item.name);
    if (existing === null)
      await perform(
        item,
        "create",
        (s) => createRoleChange(s, item.text),
        (r) => [null, r.document],
      );
    else
      await perform(
        item,
        "update",
        (s) => updateRoleChange(s, existing.name, item.text),
        (r) => [existing.document, r.document],
      );
  }
  for (const item of ofKind("ssoMappings")) {
    const before = await repos.ssoMappings.forProvider(item.name);
    await perform(
      item,
      before.length === 0 ? "create" : item.mappings.length === 0 ? "delete" : "update",
      async (s) => {
        const change = await setSsoMappingsChange(s, item.mappings, item.name, now);
        if (change.apply)
          run.ssoUsers.push(...[...change.result.grantsAdded, ...change.result.grantsRemoved].map((g) => g.userId!));
        return change;
      },
      (result: SsoMappingsResult) => [mappingsYaml(item.name, before), mappingsYaml(item.name, result.mappings)],
    );
  }

  const mentioned = (kind: BundleItem["kind"]) => new Set(ofKind(kind).map((i) => i.name.toLowerCase()));
  if (bundle.prune.has("role")) {
    const keep = mentioned("role");
    const pruned = (await repos.roles.all()).filter((r) => !r.builtIn && !keep.has(r.name.toLowerCase()));
    for (const role of pruneOrder(pruned)) {
      await perform(
        { kind: "role", name: role.name, index: null },
        "delete",
        (s) => deleteRoleChange(s, role.name),
        () => [role.document, null],
      );
    }
  }
  if (bundle.prune.has("policy")) {
    const keep = mentioned("policy");
    const pruned = (await repos.policies.all()).filter((p) => !p.builtIn && !keep.has(p.name.toLowerCase()));
    for (const policy of pruned) {
      await perform(
        { kind: "policy", name: policy.name, index: null },
        "delete",
        (s) => deletePolicyChange(s, policy.name),
        () => [policy.document, null],
      );
    }
  }
  // Judged on the state the whole bundle leaves: a bundle may move the admin role's rules between policies.
  await assertAdminPowersKept(repos, now, adminBefore, "this bundle");
  run.apply = (engine) => applies.forEach((apply) => apply(engine));
  return run;
}
