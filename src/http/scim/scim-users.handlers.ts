// /scim/v2/Users: list (eq filters on userName and externalId, paging), get,
// create, replace (PUT), PATCH and DELETE, each guarded by a `user` capability
// and audited as `SCIM.Users.<operation>`. `active: false` deprovisions through
// the deprovision use case (sessions, tokens and grants gone in that write);
// DELETE deprovisions and marks the user deleted, after which it answers 404.
import type { Request, Response } from "express";
import type { UserRecord } from "../../domain/model";
import { checkProfile, servedUser } from "../../domain/users/directory-service";
import { directoryRequest, filterParam, guard, page, type ScimContext } from "./scim-context";
import { listResponse } from "./scim-discovery";
import { invalidValue, mutability, ScimError, sendScim } from "./scim-error";
import { parseEqFilter } from "./scim-filter";
import { patchOperations, userPatch } from "./scim-patch";
import {
  isObject,
  requireSchema,
  toScimUser,
  USER_SCHEMA,
  type UserAttributes,
  userAttributes,
} from "./scim-user.mapper";

const served = (u: UserRecord | null): u is UserRecord => u !== null && !u.removedAt;

export async function listUsers(ctx: ScimContext, req: Request, res: Response): Promise<void> {
  await guard(ctx, "SCIM.Users.list", "user:list", "");
  const filter = filterParam(req);
  const { startIndex, count } = page(req);
  const users = ctx.services.storage.users;
  if (filter === undefined) {
    const [slice, total] = await Promise.all([users.listPresent(startIndex - 1, count), users.countPresent()]);
    return sendScim(
      res,
      200,
      listResponse(
        slice.map((u) => toScimUser(u, ctx.base)),
        total,
        startIndex,
      ),
    );
  }
  const { attribute, value } = parseEqFilter(filter, ["userName", "externalId"]);
  const matches =
    attribute === "userName"
      ? [await users.getByEmail(value)].filter(served)
      : (await users.findByExternalId(value)).filter(served);
  const slice = matches.slice(startIndex - 1, startIndex - 1 + count);
  sendScim(
    res,
    200,
    listResponse(
      slice.map((u) => toScimUser(u, ctx.base)),
      matches.length,
      startIndex,
    ),
  );
}

/** The user behind `:id` (null when absent or deleted), and the name the guard decides on: its email, else the id. */
async function addressed(ctx: ScimContext, id: string): Promise<{ user: UserRecord | null; name: string }> {
  const user = await ctx.services.storage.users.get(id);
  return served(user) ? { user, name: user.email } : { user: null, name: id };
}

function notFound(id: string): ScimError {
  return new ScimError(404, `no user has id '${id}'`);
}

export async function getUser(ctx: ScimContext, req: Request, res: Response): Promise<void> {
  const id = String(req.params.id);
  const { user, name } = await addressed(ctx, id);
  await guard(ctx, "SCIM.Users.read", "user:read", name);
  if (!user) throw notFound(id);
  sendScim(res, 200, toScimUser(user, ctx.base));
}

export async function createUser(ctx: ScimContext, req: Request, res: Response): Promise<void> {
  const body: unknown = req.body;
  const name = isObject(body) && typeof body.userName === "string" ? body.userName.toLowerCase() : "";
  await guard(ctx, "SCIM.Users.create", "user:create", name);
  const attrs = userAttributes(requireSchema(body, USER_SCHEMA));
  if (attrs.email === undefined) throw invalidValue("userName is required (the user's email address)");
  const user = await ctx.services.directory.provision(directoryRequest(ctx, "SCIM.Users.create"), {
    email: attrs.email,
    externalId: attrs.externalId ?? null,
    displayName: attrs.displayName ?? null,
    active: attrs.active ?? true,
  });
  const resource = toScimUser(user, ctx.base);
  res.setHeader("location", `${ctx.base}/Users/${user.id}`);
  sendScim(res, 201, resource);
}

export async function replaceUser(ctx: ScimContext, req: Request, res: Response): Promise<void> {
  await change(ctx, req, res, "SCIM.Users.replace", () => {
    const attrs = userAttributes(requireSchema(req.body, USER_SCHEMA));
    if (attrs.email === undefined) throw invalidValue("userName is required (the user's email address)");
    // PUT replaces: read-write attributes left out are cleared; `active` left out stays as it is.
    return { ...attrs, externalId: attrs.externalId ?? null, displayName: attrs.displayName ?? null };
  });
}

export async function patchUser(ctx: ScimContext, req: Request, res: Response): Promise<void> {
  await change(ctx, req, res, "SCIM.Users.update", () => userPatch(patchOperations(req.body)));
}

/**
 * PUT and PATCH: `user:update` for profile changes (or a change that changes
 * nothing), `user:deprovision` for `active: false`, each decided and audited.
 * Deprovisioning runs first, so a refused profile change cannot keep a user
 * the IdP turned off. `active: true` on a deprovisioned user is refused.
 */
async function change(
  ctx: ScimContext,
  req: Request,
  res: Response,
  operation: string,
  parse: () => UserAttributes,
): Promise<void> {
  const id = String(req.params.id);
  const { user, name } = await addressed(ctx, id);
  if (!user) {
    await guard(ctx, operation, "user:update", name);
    throw notFound(id);
  }
  const attrs = parse();
  const deprovision = attrs.active === false && user.status !== "DEPROVISIONED";
  const profile = {
    ...(attrs.email !== undefined && attrs.email.toLowerCase() !== user.email ? { email: attrs.email } : {}),
    ...(attrs.externalId !== undefined && attrs.externalId !== user.externalId ? { externalId: attrs.externalId } : {}),
    ...(attrs.displayName !== undefined && attrs.displayName !== user.displayName
      ? { displayName: attrs.displayName }
      : {}),
  };
  const profileChanges = Object.keys(profile).length > 0;
  if (profileChanges || !deprovision) await guard(ctx, operation, "user:update", name);
  // A new address is a new name in policies: the caller must be allowed to update that user too.
  if (profile.email !== undefined) await guard(ctx, operation, "user:update", profile.email.toLowerCase());
  if (deprovision) await guard(ctx, operation, "user:deprovision", name);
  if (attrs.active === true && user.status === "DEPROVISIONED") {
    throw mutability(
      `${user.email} is deprovisioned: its sessions, tokens and grants were ended, and re-activation is an administrator's decision, ` +
        "not the identity provider's. A portcullis administrator re-activates the user with the reactivateUser mutation and grants its roles again.",
    );
  }
  // Bad input is refused before anything is written, deprovisioning included.
  checkProfile(profile);
  const request = directoryRequest(ctx, operation);
  if (deprovision) await ctx.services.directory.deprovision(request, id);
  if (profileChanges) await ctx.services.directory.updateProfile(request, id, profile);
  const fresh = await servedUser(ctx.services.storage, id);
  sendScim(res, 200, toScimUser(fresh, ctx.base));
}

export async function deleteUser(ctx: ScimContext, req: Request, res: Response): Promise<void> {
  const id = String(req.params.id);
  const { user, name } = await addressed(ctx, id);
  await guard(ctx, "SCIM.Users.delete", "user:deprovision", name);
  if (!user) throw notFound(id);
  await ctx.services.directory.remove(directoryRequest(ctx, "SCIM.Users.delete"), id);
  res.status(204).end();
}
