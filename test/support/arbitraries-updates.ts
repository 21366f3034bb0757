// Random sequences of incremental updates (put/delete of types, policies, roles,
// grants, users, tokens) for the incremental-compilation property. An update is
// generated loosely, then resolved against the state it lands on into one the
// API would accept (references exist, inheritance stays acyclic, nothing in use
// is deleted, a type only gains capabilities) or skipped.
import fc from "fast-check";
import type {
  GrantDef,
  PolicyDoc,
  PolicyState,
  ResourceTypeDef,
  RoleDoc,
  TokenDef,
  UserDef,
} from "../../src/engine/types";
import {
  capabilitiesArb,
  grantArb,
  INFRA_TYPES,
  policyArb,
  POLICY_NAMES,
  roleDoc,
  ROLE_NAMES,
  someOf,
  TOKEN_IDS,
  tokenArb,
  USER_IDS,
  userArb,
  weighted,
} from "./arbitraries";

export type Update =
  | { kind: "putType"; def: ResourceTypeDef }
  | { kind: "putPolicy"; doc: PolicyDoc }
  | { kind: "deletePolicy"; name: string }
  | { kind: "putRole"; doc: RoleDoc }
  | { kind: "deleteRole"; name: string }
  | { kind: "putGrant"; grant: GrantDef }
  | { kind: "deleteGrant"; id: string }
  | { kind: "putUser"; user: UserDef }
  | { kind: "deleteUser"; id: string }
  | { kind: "putToken"; token: TokenDef }
  | { kind: "deleteToken"; id: string };

const GRANT_IDS = ["g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "g9"];

const roleUpdateArb: fc.Arbitrary<RoleDoc> = fc
  .record({
    name: fc.constantFrom(...ROLE_NAMES),
    policies: someOf(POLICY_NAMES, 3, 1),
    inherits: someOf(ROLE_NAMES, 2),
    requireSessionMfa: weighted([
      [false, 4],
      [true, 1],
    ]),
    superuser: weighted([
      [false, 20],
      [true, 1],
    ]),
  })
  .map(({ name, ...fields }) => roleDoc(name, fields));

/** Loosely generated updates; rules are valid against `types` (types only ever gain capabilities). */
export function updateArb(types: ResourceTypeDef[]): fc.Arbitrary<Update> {
  const roles = [...ROLE_NAMES];
  return fc.oneof(
    {
      weight: 1,
      arbitrary: fc
        .record({ name: fc.constantFrom(...INFRA_TYPES), capabilities: capabilitiesArb })
        .map((def): Update => ({ kind: "putType", def })),
    },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(...POLICY_NAMES)
        .chain((name) => policyArb(name, types))
        .map((doc): Update => ({ kind: "putPolicy", doc })),
    },
    { weight: 1, arbitrary: fc.constantFrom(...POLICY_NAMES).map((name): Update => ({ kind: "deletePolicy", name })) },
    { weight: 3, arbitrary: roleUpdateArb.map((doc): Update => ({ kind: "putRole", doc })) },
    { weight: 1, arbitrary: fc.constantFrom(...ROLE_NAMES).map((name): Update => ({ kind: "deleteRole", name })) },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(...GRANT_IDS)
        .chain((id) => grantArb(id, roles))
        .map((grant): Update => ({ kind: "putGrant", grant })),
    },
    { weight: 2, arbitrary: fc.constantFrom(...GRANT_IDS).map((id): Update => ({ kind: "deleteGrant", id })) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(...USER_IDS)
        .chain(userArb)
        .map((user): Update => ({ kind: "putUser", user })),
    },
    { weight: 1, arbitrary: fc.constantFrom(...USER_IDS).map((id): Update => ({ kind: "deleteUser", id })) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(...TOKEN_IDS)
        .chain((id) => tokenArb(id, roles))
        .map((token): Update => ({ kind: "putToken", token })),
    },
    { weight: 1, arbitrary: fc.constantFrom(...TOKEN_IDS).map((id): Update => ({ kind: "deleteToken", id })) },
  );
}

/** Whether `from` reaches `to` through inheritance in `roles`. */
function inheritsTransitively(roles: RoleDoc[], from: string, to: string, seen: string[] = []): boolean {
  if (from === to) return true;
  if (seen.includes(from)) return false;
  const role = roles.find((r) => r.name === from);
  return (role?.inherits ?? []).some((parent) => inheritsTransitively(roles, parent, to, [...seen, from]));
}

function replace<T>(items: T[], item: T, same: (x: T) => boolean): T[] {
  return items.some(same) ? items.map((x) => (same(x) ? item : x)) : [...items, item];
}

/** The update as the API would accept it on `state`, and the state after it; null when it would be refused. */
export function resolveUpdate(state: PolicyState, update: Update): { update: Update; state: PolicyState } | null {
  const roleExists = (name: string) => state.roles.some((r) => r.name === name);
  switch (update.kind) {
    case "putType": {
      const existing = state.types.find((t) => t.name === update.def.name);
      const def = { name: update.def.name, capabilities: { ...update.def.capabilities, ...existing?.capabilities } };
      return {
        update: { kind: "putType", def },
        state: { ...state, types: replace(state.types, def, (t) => t.name === def.name) },
      };
    }
    case "putPolicy":
      return {
        update,
        state: { ...state, policies: replace(state.policies, update.doc, (p) => p.name === update.doc.name) },
      };
    case "deletePolicy":
      if (
        !state.policies.some((p) => p.name === update.name) ||
        state.roles.some((r) => r.policies.includes(update.name))
      )
        return null;
      return { update, state: { ...state, policies: state.policies.filter((p) => p.name !== update.name) } };
    case "putRole": {
      const name = update.doc.name;
      const others = state.roles.filter((r) => r.name !== name);
      const doc: RoleDoc = {
        ...update.doc,
        policies: update.doc.policies.filter((p) => state.policies.some((x) => x.name === p)),
        inherits: update.doc.inherits.filter(
          (parent) => others.some((r) => r.name === parent) && !inheritsTransitively(others, parent, name),
        ),
      };
      return {
        update: { kind: "putRole", doc },
        state: { ...state, roles: replace(state.roles, doc, (r) => r.name === name) },
      };
    }
    case "deleteRole": {
      const name = update.name;
      const inUse =
        state.roles.some((r) => r.inherits.includes(name)) ||
        state.grants.some((g) => g.role === name) ||
        state.tokens.some((t) => t.roles.includes(name));
      if (!roleExists(name) || inUse) return null;
      return { update, state: { ...state, roles: state.roles.filter((r) => r.name !== name) } };
    }
    case "putGrant":
      if (!roleExists(update.grant.role)) return null;
      return {
        update,
        state: { ...state, grants: replace(state.grants, update.grant, (g) => g.id === update.grant.id) },
      };
    case "deleteGrant":
      if (!state.grants.some((g) => g.id === update.id)) return null;
      return { update, state: { ...state, grants: state.grants.filter((g) => g.id !== update.id) } };
    case "putUser":
      return { update, state: { ...state, users: replace(state.users, update.user, (u) => u.id === update.user.id) } };
    case "deleteUser":
      if (!state.users.some((u) => u.id === update.id)) return null;
      return { update, state: { ...state, users: state.users.filter((u) => u.id !== update.id) } };
    case "putToken": {
      const token = { ...update.token, roles: update.token.roles.filter(roleExists) };
      return {
        update: { kind: "putToken", token },
        state: { ...state, tokens: replace(state.tokens, token, (t) => t.id === token.id) },
      };
    }
    case "deleteToken":
      if (!state.tokens.some((t) => t.id === update.id)) return null;
      return { update, state: { ...state, tokens: state.tokens.filter((t) => t.id !== update.id) } };
  }
}
