// registerResourceType (docs/documents.md): adds a type, or capabilities to one.
//
// Choices where the specification is silent:
// - A document may leave out capabilities the type already has (it only adds);
//   one that changes an existing capability's level is BAD_USER_INPUT at
//   `capabilities.<name>`. The server's own types cannot be changed at all.
// - A document that adds nothing is a no-op (no change record).
// - Escalation: a new capability widens every `*`-capability or level rule that
//   matches it (and a new type every `resource: "*"` rule), for everyone holding
//   them. So besides resource_type:create (the guard), the actor must hold each
//   new capability everywhere, judged against the registry as it would be after
//   the write. Holding `escalate` on `role` lifts this.
import { Engine, formatResourceTypeDocument, parseResourceTypeDocument } from "../../engine";
import { LEVELS, SYSTEM_TYPES, type Level, type ResourceTypeDef, type RuleSpec } from "../../engine/types";
import { enginePrincipal } from "../engine-principal";
import { DomainError } from "../errors";
import type { ResourceTypeRecord } from "../model";
import type { PolicyChange, PolicyWriter, WriteRequest } from "../policy/policy-writer";
import type { Principal } from "../principal";
import { readDocument } from "./document-input";
import { holdsEscalate, requireCovered, type Refusal } from "./escalation";
import type { WriteStep } from "./write-step";

const SYSTEM: ReadonlySet<string> = new Set(SYSTEM_TYPES);

/** One unconditional allow of `capability` on every resource of `type`. */
function allowEverywhere(type: string, capability: string): RuleSpec {
  return {
    effect: "ALLOW",
    resourceType: type,
    namespace: "**",
    name: "*",
    labels: [],
    capabilities: [capability],
    level: null,
    requireMfa: false,
    sourceCidrs: [],
  };
}

/** Refuses level changes to existing capabilities, listing every one. */
function refuseLevelChanges(existing: ResourceTypeRecord, wanted: Record<string, Level>): void {
  const issues = Object.entries(wanted)
    .filter(([cap, level]) => cap in existing.capabilities && existing.capabilities[cap] !== level)
    .map(([cap, level]) => ({
      path: `capabilities.${cap}`,
      message: `${existing.name}:${cap} is ${existing.capabilities[cap]}; a registered capability's level cannot change (asked for ${level})`,
    }));
  if (issues.length === 0) return;
  const text = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  throw new DomainError("BAD_USER_INPUT", `resourceType document refused: ${text}`, { field: issues[0].path, issues });
}

function sortedCapabilities(capabilities: Record<string, Level>): Record<string, Level> {
  const entries = Object.entries(capabilities).sort(
    ([a, la], [b, lb]) => LEVELS.indexOf(la) - LEVELS.indexOf(lb) || (a < b ? -1 : a > b ? 1 : 0),
  );
  return Object.fromEntries(entries);
}

/** registerResourceType's validation, checks and write, inside a policy write; no apply and no record when nothing is added. */
export async function registerResourceTypeChange(
  { repos, engine, actor, refuse }: WriteStep,
  document: string,
): Promise<PolicyChange<ResourceTypeRecord>> {
  const def = readDocument("resourceType", () => parseResourceTypeDocument(document));
  if (SYSTEM.has(def.name)) {
    throw new DomainError(
      "BAD_USER_INPUT",
      `name: '${def.name}' is one of the server's own types and cannot be changed`,
      { field: "name" },
    );
  }
  const existing = await repos.resourceTypes.get(def.name);
  if (existing) refuseLevelChanges(existing, def.capabilities);
  const added = Object.keys(def.capabilities)
    .filter((cap) => !(existing && cap in existing.capabilities))
    .sort();
  if (existing && added.length === 0) return { result: existing };

  const merged: ResourceTypeDef = {
    name: def.name,
    capabilities: sortedCapabilities({ ...existing?.capabilities, ...def.capabilities }),
  };
  if (!holdsEscalate(engine, actor, "")) requireHolds(engine, actor, merged, added, refuse);
  const saved: ResourceTypeRecord = {
    name: def.name,
    builtIn: existing?.builtIn ?? false,
    capabilities: merged.capabilities,
  };
  await repos.resourceTypes.save(saved);
  return {
    result: saved,
    apply: (e) => e.putType(merged),
    record: {
      kind: "resourceType",
      name: def.name,
      addedCapabilities: added,
      oldDocument: existing
        ? formatResourceTypeDocument({ name: existing.name, capabilities: existing.capabilities })
        : null,
      newDocument: formatResourceTypeDocument(merged),
    },
    resource: { type: "resource_type", name: def.name },
  };
}

/**
 * Judged on a scratch engine holding the state as it would be after the write
 * (the one handed in must not change before commit); it is compiled from that
 * engine's state, which is the stored state in the writers' turn.
 */
function requireHolds(
  engine: Engine,
  actor: Principal,
  merged: ResourceTypeDef,
  added: string[],
  refuse?: Refusal,
): void {
  const state = engine.snapshot();
  const after = Engine.compile({ ...state, types: [...state.types.filter((t) => t.name !== merged.name), merged] });
  const principal = enginePrincipal(actor);
  for (const capability of added) {
    requireCovered(
      after.covers(principal, [allowEverywhere(merged.name, capability)], ""),
      `registering ${merged.name}:${capability}`,
      refuse,
    );
  }
}

export class ResourceTypeService {
  constructor(private readonly writer: PolicyWriter) {}

  register(actor: Principal, document: string, requestId: string): Promise<ResourceTypeRecord> {
    const request: WriteRequest = { actor, operation: "Mutation.registerResourceType", requestId };
    return this.writer.write(request, (repos, engine) =>
      registerResourceTypeChange({ repos, engine, actor }, document),
    );
  }
}
