import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import type { RequestContext } from "../context";
import { toRoleType } from "../mappers";
import { RoleType } from "../types/role.type";

/** Role writes; the guard has checked role:create/update/delete, the service does the rest. */
@Resolver()
export class RoleMutationsResolver {
  @Mutation(() => RoleType, { description: "A role from a YAML document (`kind: role`; format in docs/documents.md)." })
  async createRole(@Ctx() ctx: RequestContext, @Arg("document", () => String) document: string): Promise<RoleType> {
    return toRoleType(await ctx.services.roles.create(ctx.principal!, document, ctx.requestId));
  }

  @Mutation(() => RoleType)
  async updateRole(
    @Ctx() ctx: RequestContext,
    @Arg("name", () => String) name: string,
    @Arg("document", () => String) document: string,
  ): Promise<RoleType> {
    return toRoleType(await ctx.services.roles.update(ctx.principal!, name, document, ctx.requestId));
  }

  @Mutation(() => Boolean)
  deleteRole(@Ctx() ctx: RequestContext, @Arg("name", () => String) name: string): Promise<boolean> {
    return ctx.services.roles.delete(ctx.principal!, name, ctx.requestId);
  }
}
