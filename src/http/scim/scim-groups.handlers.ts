// /scim/v2/Groups: a group is a name its members carry (docs/concepts.md), so it
// exists while it has members. Guarded by `user` capabilities on the whole
// directory (empty name: one call changes several users): list/read for GET,
// create for POST, update for PUT, PATCH and DELETE (DELETE takes the group
// from its members and deprovisions no one). Every membership change recomputes
// the changed members' SSO grants before the response (DirectoryService).
import type { Request, Response } from "express";
import type { MembershipStep } from "../../domain/users/directory-service";
import { directoryRequest, filterParam, guard, page, type ScimContext } from "./scim-context";
import { listResponse } from "./scim-discovery";
import { invalidValue, ScimError, sendScim } from "./scim-error";
import { parseEqFilter } from "./scim-filter";
import {
  assertSameName,
  GROUP_SCHEMA,
  groupId,
  groupName,
  groupPatchSteps,
  memberIds,
  toScimGroup,
} from "./scim-group.mapper";
import { patchOperations } from "./scim-patch";
import { requireSchema } from "./scim-user.mapper";

/** `excludedAttributes=members` leaves members out (IdPs ask so for large groups). */
function withMembers(req: Request): boolean {
  const excluded = req.query.excludedAttributes;
  return typeof excluded !== "string" || !excluded.split(",").some((a) => a.trim().toLowerCase() === "members");
}

export async function listGroups(ctx: ScimContext, req: Request, res: Response): Promise<void> {
  await guard(ctx, "SCIM.Groups.list", "user:list", "");
  const filter = filterParam(req);
  const { startIndex, count } = page(req);
  const users = ctx.services.storage.users;
  let names: string[];
  if (filter === undefined) {
    // Every name some user carries is a group with members.
    names = await users.groupNames();
  } else {
    const { value } = parseEqFilter(filter, ["displayName"]);
    names = (await users.membersOf(value)).length > 0 ? [value] : [];
  }
  const slice = names.slice(startIndex - 1, startIndex - 1 + count);
  const members = withMembers(req);
  const resources = [];
  for (const name of slice)
    resources.push(toScimGroup(name, members ? await users.membersOf(name) : [], ctx.base, members));
  sendScim(res, 200, listResponse(resources, names.length, startIndex));
}

/** The group behind `:id` and its members; 404 when the id is not a group id or nobody carries the group. */
async function existing(ctx: ScimContext, id: string) {
  const name = groupName(id);
  const members = name === null ? [] : await ctx.services.storage.users.membersOf(name);
  if (name === null || members.length === 0) throw new ScimError(404, `no group has id '${id}'`);
  return { name, members };
}

export async function getGroup(ctx: ScimContext, req: Request, res: Response): Promise<void> {
  await guard(ctx, "SCIM.Groups.read", "user:read", "");
  const { name, members } = await existing(ctx, String(req.params.id));
  sendScim(res, 200, toScimGroup(name, members, ctx.base, withMembers(req)));
}

/**
 * A group with its members. A group without members is answered (201) but not
 * kept: nobody carries its name. Its id still addresses it, so members can be
 * added later with PATCH.
 */
export async function createGroup(ctx: ScimContext, req: Request, res: Response): Promise<void> {
  await guard(ctx, "SCIM.Groups.create", "user:create", "");
  const body = requireSchema(req.body, GROUP_SCHEMA);
  if (typeof body.displayName !== "string" || body.displayName === "")
    throw invalidValue("displayName is required (the group's name)");
  const name = body.displayName;
  const members = memberIds(body.members, "members");
  if ((await ctx.services.storage.users.membersOf(name)).length > 0)
    throw new ScimError(409, `a group named '${name}' already exists`, "uniqueness");
  const result = await ctx.services.directory.changeMembership(directoryRequest(ctx, "SCIM.Groups.create"), name, [
    { op: "add", members },
  ]);
  res.setHeader("location", `${ctx.base}/Groups/${groupId(name)}`);
  sendScim(res, 201, toScimGroup(name, result.members, ctx.base));
}

/** PUT: the members are exactly the ones given; displayName must stay. */
export async function replaceGroup(ctx: ScimContext, req: Request, res: Response): Promise<void> {
  await changeGroup(ctx, req, res, "SCIM.Groups.replace", (name) => {
    const body = requireSchema(req.body, GROUP_SCHEMA);
    assertSameName(body.displayName, name, "displayName");
    return [{ op: "replace", members: memberIds(body.members, "members") }];
  });
}

export async function patchGroup(ctx: ScimContext, req: Request, res: Response): Promise<void> {
  await changeGroup(ctx, req, res, "SCIM.Groups.update", (name) => groupPatchSteps(patchOperations(req.body), name));
}

/**
 * PUT and PATCH address a group by id even when it has no members left (its
 * name is in the id), so an IdP may empty a group and fill it again.
 */
async function changeGroup(
  ctx: ScimContext,
  req: Request,
  res: Response,
  operation: string,
  steps: (name: string) => MembershipStep[],
): Promise<void> {
  await guard(ctx, operation, "user:update", "");
  const id = String(req.params.id);
  const name = groupName(id);
  if (name === null) throw new ScimError(404, `no group has id '${id}'`);
  const result = await ctx.services.directory.changeMembership(directoryRequest(ctx, operation), name, steps(name));
  sendScim(res, 200, toScimGroup(name, result.members, ctx.base));
}

export async function deleteGroup(ctx: ScimContext, req: Request, res: Response): Promise<void> {
  await guard(ctx, "SCIM.Groups.delete", "user:update", "");
  const { name } = await existing(ctx, String(req.params.id));
  await ctx.services.directory.changeMembership(directoryRequest(ctx, "SCIM.Groups.delete"), name, [
    { op: "replace", members: [] },
  ]);
  res.status(204).end();
}
