// graphql-shield built from the guard table. Deny by default: a root field
// without an entry is refused (fallbackRule), and every decision the guard takes
// is audited before the field runs — if the event cannot be written, the call
// fails and nothing runs.
import { GraphQLObjectType, OperationTypeNode, type GraphQLResolveInfo, type GraphQLSchema } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { deny, rule, shield, type IRules } from "graphql-shield";

type RuleTree = Exclude<IRules, { resolve: unknown }>;
type ShieldRule = ReturnType<ReturnType<typeof rule>>;
import { auditedSystemCheck } from "../../domain/decisions/audited-system-check";
import { DomainError } from "../../domain/errors";
import type { RequestContext } from "../context";
import { FIELD_GUARD_TABLE, GUARD_TABLE, type FieldGuardEntry, type GuardEntry } from "./guard-table";

const ROOT_TYPES = ["Query", "Mutation", "Subscription"] as const;

export function unauthenticated(ctx: RequestContext): DomainError {
  return new DomainError(
    "UNAUTHENTICATED",
    ctx.authFailure === "missing" || ctx.authFailure === null
      ? "authentication required: send Authorization: Bearer <token>"
      : "invalid, expired or revoked credential",
  );
}

function ruleFor(operation: string, entry: GuardEntry): ShieldRule {
  // graphql-shield turns an exception inside a rule into a plain "not authorised";
  // an unwritable audit event must surface as the internal error it is.
  return rule(operation, { cache: "no_cache" })(
    (_parent: unknown, args: Record<string, unknown>, ctx: RequestContext) =>
      decide(operation, entry, args, ctx).catch((err: unknown) =>
        err instanceof Error ? err : new Error(String(err)),
      ),
  );
}

async function decide(
  operation: string,
  entry: GuardEntry,
  args: Record<string, unknown>,
  ctx: RequestContext,
): Promise<true | Error> {
  const principal = ctx.principal;
  if (principal === null) return unauthenticated(ctx);
  if (entry.kind !== "check") return true;
  if (entry.self && (await entry.self(args, ctx))) return true;
  const name = entry.name ? await entry.name(args, ctx) : "";
  const decision = await auditedSystemCheck(ctx.services, principal, {
    operation,
    capability: entry.capability,
    name,
    requestId: ctx.requestId,
  });
  if (decision.allowed) return true;
  const details = { reason: decision.reason, capability: entry.capability };
  return decision.reason === "MFA_REQUIRED"
    ? new DomainError("MFA_REQUIRED", `${operation} needs ${entry.capability} with MFA: step up and retry`, details)
    : new DomainError("FORBIDDEN", `${operation} needs ${entry.capability} (${decision.reason})`, details);
}

/**
 * One decision per (field, capability, name) and request: a list of 500 users
 * asking for `tokens` costs one check and one audit event, not 500.
 */
const fieldDecisions = new WeakMap<RequestContext, Map<string, Promise<true | Error>>>();

function fieldRuleFor(operation: string, entry: FieldGuardEntry): ShieldRule {
  return rule(operation, { cache: "no_cache" })(
    (parent: unknown, _args: unknown, ctx: RequestContext, info: GraphQLResolveInfo) =>
      decideField(operation, entry, parent, ctx, info).catch((err: unknown) =>
        err instanceof Error ? err : new Error(String(err)),
      ),
  );
}

/**
 * The root mutation field whose result the parent object is (an element of it,
 * or the token of an IssuedToken), or null: a field's `returnedBy` names the
 * mutations whose caller reads back what it just wrote. Anything further down
 * is guarded again.
 */
function returningMutation(info: GraphQLResolveInfo): string | null {
  if (info.operation.operation !== OperationTypeNode.MUTATION) return null;
  const steps: string[] = [];
  for (let at = info.path.prev; at; at = at.prev) {
    if (typeof at.key === "number") continue;
    if (at.typename && FIELD_GUARD_TABLE[at.typename]?.[at.key]?.kind === "always") continue;
    steps.push(at.key);
  }
  return steps.length === 1 ? steps[0] : null;
}

async function decideField(
  operation: string,
  entry: FieldGuardEntry,
  parent: unknown,
  ctx: RequestContext,
  info: GraphQLResolveInfo,
): Promise<true | Error> {
  if (ctx.principal === null) return unauthenticated(ctx);
  if (entry.kind !== "check") return true;
  const mutation = entry.returnedBy ? returningMutation(info) : null;
  if (mutation !== null && entry.returnedBy!.includes(mutation)) return true;
  if (entry.self && (await entry.self(parent, ctx))) return true;
  const name = entry.name ? await entry.name(parent, ctx) : "";
  let decisions = fieldDecisions.get(ctx);
  if (!decisions) fieldDecisions.set(ctx, (decisions = new Map<string, Promise<true | Error>>()));
  const key = `${operation}\u0000${entry.capability}\u0000${name}`;
  let decision = decisions.get(key);
  if (!decision) {
    decision = decide(operation, { kind: "check", capability: entry.capability, name: () => name }, {}, ctx);
    decisions.set(key, decision);
  }
  return decision;
}

/** The rule tree: root fields from GUARD_TABLE, object fields from FIELD_GUARD_TABLE. */
export function guardRules(schema: GraphQLSchema): RuleTree {
  const tree: Record<string, ShieldRule | Record<string, ShieldRule>> = {};
  for (const rootName of ROOT_TYPES) {
    const root = schema.getType(rootName);
    if (!(root instanceof GraphQLObjectType)) continue;
    const fields: Record<string, ShieldRule> = {};
    for (const field of Object.keys(root.getFields())) {
      const entry = GUARD_TABLE[rootName][field];
      if (entry) fields[field] = ruleFor(`${rootName}.${field}`, entry);
    }
    tree[rootName] = fields;
  }
  for (const [typeName, entries] of Object.entries(FIELD_GUARD_TABLE)) {
    const type = schema.getType(typeName);
    if (!(type instanceof GraphQLObjectType)) continue;
    const fields: Record<string, ShieldRule> = {};
    for (const field of Object.keys(type.getFields())) {
      const entry = entries[field];
      if (entry) fields[field] = fieldRuleFor(`${typeName}.${field}`, entry);
    }
    tree[typeName] = fields;
  }
  return tree;
}

export function guardSchema(schema: GraphQLSchema): GraphQLSchema {
  const generator = shield(guardRules(schema), {
    fallbackRule: deny,
    allowExternalErrors: true,
    fallbackError: (err: unknown) => (err instanceof Error ? err : new DomainError("FORBIDDEN", "not allowed")),
    debug: false,
  });
  // Shield generates a wrapper for every field of every type (the fallback rule
  // on those without one). Root fields are all guarded; of the other types only
  // the fields in FIELD_GUARD_TABLE: the rest of what an allowed field returns is
  // the caller's to read, and runs unwrapped (no rule, no extra promise per field).
  const middleware = generator.generate(schema) as Record<string, Record<string, unknown>>;
  const guarded: Record<string, Record<string, unknown>> = {};
  for (const [type, fields] of Object.entries(middleware)) {
    if ((ROOT_TYPES as readonly string[]).includes(type)) guarded[type] = fields;
    else if (FIELD_GUARD_TABLE[type])
      guarded[type] = Object.fromEntries(Object.entries(fields).filter(([field]) => FIELD_GUARD_TABLE[type][field]));
  }
  return applyMiddleware(schema, guarded as Parameters<typeof applyMiddleware>[1]);
}
