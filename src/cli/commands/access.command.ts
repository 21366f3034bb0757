// can, effective, who-can: decisions and permissions, for people and scripts.
import { Command } from "commander";
import { EXIT } from "../cli-error";
import type { Cli } from "../cli-context";
import { parseLabel, parseResource, type ResourceArg } from "../arguments";
import { OPERATIONS, type PermissionView, type RuleRefView, type UserView } from "../operations";
import { joinList, painter } from "../output";
import { addOutput, example } from "./command-kit";

interface CheckView {
  allowed: boolean;
  reason: string;
  explanation: string[];
  decidedBy: RuleRefView | null;
}

export const ruleRef = (via: RuleRefView | null): string =>
  via ? `${via.role ? `role ${via.role}, ` : ""}policy ${via.policy} rule ${via.ruleIndex}` : "";

const resourceText = (r: { resourceType: string; namespace: string; name: string }): string =>
  [r.resourceType, r.namespace || "*", r.name || "*"].join("/");

export function accessCommands(cli: Cli): Command[] {
  const can = addOutput(
    example(
      new Command("can")
        .description("is ACTION allowed on the resource? exits 0 when allowed, 1 when denied")
        .argument("<action>", "capability to check, e.g. submit")
        .argument(
          "<resource>",
          "TYPE/NAMESPACE/NAME (the namespace may hold slashes), e.g. job/prod/web/api",
          parseResource,
        )
        .option("--user <email>", "decide for this user instead of the caller")
        .option("--label <key=value>", "a label of the resource (repeatable)", parseLabel)
        .option("--explain", "print the explanation and the deciding rule"),
      [
        "portcullis can submit job/prod/api",
        "portcullis can read secret/prod/db-password --user ci@example.com --explain",
        "portcullis can restart app/prod/web --label tier=frontend && deploy.sh",
      ],
    ),
  ).action(
    async (
      action: string,
      resource: ResourceArg,
      options: { user?: string; label?: Array<{ key: string; value: string }>; explain?: boolean },
      command: Command,
    ) => {
      const { can: result } = await cli.client(command).request<{ can: CheckView }>(OPERATIONS.Can, {
        action,
        resource: { ...resource, labels: options.label ?? [] },
        subject: options.user ? { email: options.user } : null,
      });
      const paint = painter(cli.io.outTty, cli.env);
      cli.print(command, result, () => {
        const head = result.allowed
          ? paint("green", `allowed (${result.reason})`)
          : paint("red", `denied (${result.reason})`);
        if (!options.explain) return head + "\n";
        const lines = [head, ...result.explanation.map((line) => `  ${line}`)];
        if (result.decidedBy) lines.push(`decided by: ${ruleRef(result.decidedBy)}`);
        return lines.join("\n") + "\n";
      });
      if (!result.allowed) process.exitCode = EXIT.DENIED;
    },
  );

  const effective = addOutput(
    example(
      new Command("effective")
        .description("the permissions a user holds, after roles, inheritance and scopes")
        .option("--user <email>", "whose permissions (default: the caller's)")
        .option("--type <type>", "only this resource type")
        .option("--namespace <namespace>", "only permissions reaching this namespace"),
      ["portcullis effective", "portcullis effective --user alice@example.com --type job --namespace prod"],
    ),
  ).action(async (options: { user?: string; type?: string; namespace?: string }, command: Command) => {
    const { effectivePermissions: rows } = await cli
      .client(command)
      .request<{ effectivePermissions: PermissionView[] }>(OPERATIONS.Effective, {
        subject: options.user ? { email: options.user } : null,
        resourceType: options.type ?? null,
        namespace: options.namespace ?? null,
      });
    cli.print(command, rows, () => ({
      head: ["EFFECT", "RESOURCE", "CAPABILITIES", "SCOPE", "CONDITIONS", "VIA"],
      rows: rows.map((p) => [
        p.effect,
        resourceText(p),
        joinList(p.capabilities),
        p.scope || "*",
        conditions(p),
        ruleRef(p.via),
      ]),
    }));
  });

  const whoCan = addOutput(
    example(
      new Command("who-can")
        .description("the users allowed ACTION on the resource")
        .argument("<action>", "capability, e.g. submit")
        .argument("<resource>", "TYPE/NAMESPACE/NAME, e.g. job/prod/api", parseResource),
      ["portcullis who-can submit job/prod/api", "portcullis who-can read secret/prod/db-password -o json"],
    ),
  ).action(async (action: string, resource: ResourceArg, _options: unknown, command: Command) => {
    const { whoCan: users } = await cli
      .client(command)
      .request<{ whoCan: UserView[] }>(OPERATIONS.WhoCan, { action, resource });
    cli.print(command, users, () => ({
      head: ["EMAIL", "NAME", "KIND", "STATUS"],
      rows: users.map((u) => [u.email, u.displayName, u.kind, u.status]),
    }));
  });
  return [can, effective, whoCan];
}

function conditions(p: PermissionView): string {
  const parts: string[] = [];
  for (const l of p.labels) parts.push(`${l.key} in (${l.values.join(", ")})`);
  if (p.sourceCidrs.length > 0) parts.push(`from ${p.sourceCidrs.join(", ")}`);
  if (p.requireMfa) parts.push("MFA");
  if (p.expiresAt) parts.push(`until ${p.expiresAt}`);
  return parts.join("; ");
}
