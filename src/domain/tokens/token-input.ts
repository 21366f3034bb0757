// What createToken is given, checked before anything is read or written. Every
// refusal is BAD_USER_INPUT at the path of the offending argument.
import { parseCidr } from "../../engine";
import { badInput } from "../errors";

export const MAX_TOKEN_NAME_LENGTH = 128;
/** A TTL longer than a year is refused: a token that should never expire is a break-glass token. */
export const MAX_TOKEN_TTL_SECONDS = 365 * 24 * 60 * 60;
export const MAX_TOKEN_ROLES = 64;
export const MAX_BOUND_CIDRS = 64;

export interface CreateTokenArgs {
  name: string;
  userId?: string | null;
  roles?: string[] | null;
  ttlSeconds?: number | null;
  boundCidrs?: string[] | null;
  breakGlass?: boolean | null;
}

export interface TokenSpec {
  name: string;
  /** The owner; null means the caller. */
  userId: string | null;
  /** As asked for, duplicates (ignoring case) dropped; empty means all of the owner's roles. */
  roles: string[];
  /** Where each entry of `roles` was in the input, for error paths. */
  rolePaths: string[];
  ttlSeconds: number | null;
  boundCidrs: string[];
  breakGlass: boolean;
}

// C0 and C1 control characters, DEL included: a name is shown in lists and logs.
const CONTROL = /\p{Cc}/u;

export function readTokenInput(input: CreateTokenArgs): TokenSpec {
  const name = input.name;
  if (typeof name !== "string" || name.trim() === "") throw badInput("input.name", "a token needs a name");
  if (name.length > MAX_TOKEN_NAME_LENGTH)
    throw badInput("input.name", `${name.length} characters; at most ${MAX_TOKEN_NAME_LENGTH}`);
  if (CONTROL.test(name)) throw badInput("input.name", "control characters are not allowed");

  const breakGlass = input.breakGlass === true;
  const ttl = input.ttlSeconds ?? null;
  if (ttl !== null) {
    if (breakGlass) throw badInput("input.ttlSeconds", "a break-glass token never expires: leave ttlSeconds out");
    if (!Number.isSafeInteger(ttl) || ttl < 1)
      throw badInput("input.ttlSeconds", `${ttl} is not a positive whole number of seconds`);
    if (ttl > MAX_TOKEN_TTL_SECONDS)
      throw badInput("input.ttlSeconds", `${ttl} seconds is more than a year (${MAX_TOKEN_TTL_SECONDS})`);
  }

  const askedRoles = input.roles ?? [];
  if (askedRoles.length > MAX_TOKEN_ROLES)
    throw badInput("input.roles", `${askedRoles.length} roles; at most ${MAX_TOKEN_ROLES}`);
  const roles: string[] = [];
  const rolePaths: string[] = [];
  const seen = new Set<string>();
  askedRoles.forEach((role, i) => {
    if (role.trim() === "") throw badInput(`input.roles[${i}]`, "empty role name");
    if (seen.has(role.toLowerCase())) return;
    seen.add(role.toLowerCase());
    roles.push(role);
    rolePaths.push(`input.roles[${i}]`);
  });

  const boundCidrs = input.boundCidrs ?? [];
  if (boundCidrs.length > MAX_BOUND_CIDRS)
    throw badInput("input.boundCidrs", `${boundCidrs.length} networks; at most ${MAX_BOUND_CIDRS}`);
  boundCidrs.forEach((cidr, i) => {
    if (parseCidr(cidr) === null) {
      throw badInput(
        `input.boundCidrs[${i}]`,
        `'${cidr.slice(0, 64)}' is not an IPv4 or IPv6 network or address (expected e.g. 10.0.0.0/8, 2001:db8::/32 or 192.0.2.7)`,
      );
    }
  });

  return {
    name,
    userId: input.userId ?? null,
    roles,
    rolePaths,
    ttlSeconds: ttl,
    boundCidrs: [...boundCidrs],
    breakGlass,
  };
}
