// role list|describe, grant add|remove|list, policy list|get, type list: the access model.
import { Command } from "commander";
import { CliError, EXIT, usageError } from "../cli-error";
import type { Cli } from "../cli-context";
import { parseTtl } from "../arguments";
import { OPERATIONS, type GrantView, type RuleView } from "../operations";
import { joinList, outputFormat } from "../output";
import { addOutput, example } from "./command-kit";

interface RoleDetail {
  name: string;
  description: string | null;
  builtIn: boolean;
  superuser: boolean;
  requireSessionMfa: boolean;
  maxSessionTtlSeconds: number | null;
  approvalsRequired: number;
  denialsRequired: number;
  inherits: Array<{ name: string }>;
  requestableRoles: Array<{ name: string }>;
  reviewableRoles: Array<{ name: string }>;
  document: string;
  policies: Array<{ name: string; rules: RuleView[] }>;
}
interface PolicyDetail {
  name: string;
  description: string | null;
  builtIn: boolean;
  version: number;
  document: string;
  updatedAt: string;
  rules: RuleView[];
  roles: Array<{ name: string }>;
}

const names = (list: Array<{ name: string }>) => joinList(list.map((x) => x.name));

function ruleLine(r: RuleView): string {
  const target = [r.resourceType, r.namespace || "*", r.name || "*"].join("/");
  const extras = [
    ...r.labels.map((l) => `${l.key} in (${l.values.join(", ")})`),
    r.sourceCidrs.length ? `from ${r.sourceCidrs.join(", ")}` : "",
    r.requireMfa ? "MFA" : "",
  ].filter(Boolean);
  return `${r.effect.toLowerCase()} ${target}: ${r.capabilities.join(", ")}${r.level ? ` (level ${r.level})` : ""}${extras.length ? ` [${extras.join("; ")}]` : ""}`;
}

const grantSubject = (g: GrantView) => (g.user ? g.user.email : `group ${g.group}`);
const GRANT_HEAD = ["ID", "SUBJECT", "ROLE", "SCOPE", "SOURCE", "EXPIRES", "ACTIVE"];
const grantRow = (g: GrantView) => [
  g.id,
  grantSubject(g),
  g.role.name,
  g.scope || "*",
  g.source,
  g.expiresAt ?? "never",
  g.active ? "yes" : "no",
];

export function modelCommands(cli: Cli): Command[] {
  const role = example(new Command("role").description("roles: list, describe"), [
    "portcullis role list",
    "portcullis role describe deployer",
  ]);
  addOutput(example(role.command("list").description("every role"), ["portcullis role list"])).action(
    async (_o: unknown, command: Command) => {
      const { roles } = await cli.client(command).request<{
        roles: Array<{
          name: string;
          description: string | null;
          builtIn: boolean;
          superuser: boolean;
          inherits: Array<{ name: string }>;
          policies: Array<{ name: string }>;
        }>;
      }>(OPERATIONS.Roles);
      cli.print(command, roles, () => ({
        head: ["NAME", "DESCRIPTION", "POLICIES", "INHERITS", "BUILT-IN"],
        rows: roles.map((r) => [
          r.superuser ? `${r.name} (superuser)` : r.name,
          r.description,
          names(r.policies),
          names(r.inherits),
          r.builtIn ? "yes" : "",
        ]),
      }));
    },
  );
  addOutput(
    example(
      role
        .command("describe")
        .argument("<name>")
        .description("a role: its rules expanded, inheritance, and who holds it"),
      ["portcullis role describe deployer", "portcullis role describe deployer -o yaml"],
    ),
  ).action(async (name: string, _o: unknown, command: Command) => {
    const client = cli.client(command);
    const { role: found } = await client.request<{ role: RoleDetail | null }>(OPERATIONS.RoleDescribe, { name });
    if (!found) throw new CliError(`not found: no role named '${name}'`, EXIT.DENIED);
    // Every role it inherits, directly or not, each once (the server refuses cycles).
    const inherited: RoleDetail[] = [];
    const queue = found.inherits.map((r) => r.name);
    for (const seen = new Set([found.name]); queue.length > 0;) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      const { role: parent } = await client.request<{ role: RoleDetail | null }>(OPERATIONS.RoleDescribe, {
        name: next,
      });
      if (!parent) continue;
      inherited.push(parent);
      queue.push(...parent.inherits.map((r) => r.name));
    }
    const data = await client.request<{ grants: GrantView[] }>(OPERATIONS.Grants, {
      role: name,
      userId: null,
      includeInactive: false,
    });
    const policyLines = (r: RoleDetail, indent: string) =>
      r.policies.flatMap((p) => [
        `${indent}policy ${p.name}:`,
        ...(p.rules.length ? p.rules.map((rule) => `${indent}  ${ruleLine(rule)}`) : [`${indent}  (no rules)`]),
      ]);
    cli.print(
      command,
      {
        ...found,
        inheritedRoles: inherited.map((r) => ({ name: r.name, policies: r.policies })),
        holders: data.grants,
      },
      () => {
        const lines = [
          `${found.name}${found.builtIn ? " (built-in)" : ""}${found.superuser ? " — SUPERUSER: every capability everywhere" : ""}`,
          ...(found.description ? [found.description] : []),
          `inherits: ${inherited.length ? inherited.map((r) => r.name).join(", ") : "nothing"}`,
          ...(found.requireSessionMfa ? ["sessions need MFA"] : []),
          ...(found.maxSessionTtlSeconds ? [`sessions last at most ${found.maxSessionTtlSeconds}s`] : []),
          ...(found.requestableRoles.length
            ? [
                `may request: ${names(found.requestableRoles)} (${found.approvalsRequired} approval(s) grant, ${found.denialsRequired} denial(s) refuse)`,
              ]
            : []),
          ...(found.reviewableRoles.length ? [`may review requests for: ${names(found.reviewableRoles)}`] : []),
          "rules:",
          ...policyLines(found, "  "),
          ...inherited.flatMap((r) => [`  inherited from ${r.name}:`, ...policyLines(r, "    ")]),
          `held by: ${data.grants.length === 0 ? "nobody" : ""}`,
          ...data.grants.map(
            (g) =>
              `  ${grantSubject(g)}${g.scope ? ` in ${g.scope}` : ""} (${g.source}${g.expiresAt ? `, until ${g.expiresAt}` : ""})`,
          ),
        ];
        return lines.join("\n") + "\n";
      },
    );
  });

  const grant = example(new Command("grant").description("grants of roles to users and groups: add, remove, list"), [
    "portcullis grant add --user alice@example.com --role deployer --scope prod --ttl 8h",
    "portcullis grant list --role deployer",
  ]);
  addOutput(
    example(
      grant
        .command("add")
        .description("grant a role to a user or a group")
        .requiredOption("--role <role>", "the role")
        .option("--user <email>", "to this user")
        .option("--group <group>", "to every member of this group")
        .option("--scope <namespace>", "only under this namespace subtree", "")
        .option("--ttl <duration>", "for this long, e.g. 8h", parseTtl)
        .option("--reason <reason>", "why (kept with the grant)"),
      [
        "portcullis grant add --user alice@example.com --role deployer --scope prod --ttl 8h --reason 'release 42'",
        "portcullis grant add --group sre --role ops",
      ],
    ),
  ).action(
    async (
      options: { role: string; user?: string; group?: string; scope: string; ttl?: number; reason?: string },
      command: Command,
    ) => {
      if (Boolean(options.user) === Boolean(options.group))
        throw usageError("grant add: give exactly one of --user EMAIL or --group GROUP");
      const client = cli.client(command);
      const userId = options.user ? await cli.userId(client, options.user) : null;
      const { grantRole } = await client.request<{ grantRole: GrantView }>(OPERATIONS.GrantRole, {
        input: {
          role: options.role,
          userId,
          group: options.group ?? null,
          scope: options.scope,
          reason: options.reason ?? null,
          expiresAt: options.ttl ? new Date(Date.now() + options.ttl * 1000).toISOString() : null,
        },
      });
      cli.print(command, grantRole, () => ({ head: GRANT_HEAD, rows: [grantRow(grantRole)] }));
    },
  );
  example(grant.command("remove").argument("<id>", "grant id (grant list shows them)").description("revoke a grant"), [
    "portcullis grant remove 0c3e…",
  ]).action(async (id: string, _o: unknown, command: Command) => {
    await cli.client(command).request<{ revokeGrant: boolean }>(OPERATIONS.RevokeGrant, { id });
    cli.note(`Revoked grant ${id}.`);
  });
  addOutput(
    example(
      grant
        .command("list")
        .description("grants, by user or role")
        .option("--user <email>", "of this user")
        .option("--role <role>", "of this role")
        .option("--all", "include inactive (expired, not yet started) grants"),
      ["portcullis grant list --role deployer", "portcullis grant list --user alice@example.com -o json"],
    ),
  ).action(async (options: { user?: string; role?: string; all?: boolean }, command: Command) => {
    const client = cli.client(command);
    const userId = options.user ? await cli.userId(client, options.user) : null;
    const { grants } = await client.request<{ grants: GrantView[] }>(OPERATIONS.Grants, {
      userId,
      role: options.role ?? null,
      includeInactive: Boolean(options.all),
    });
    cli.print(command, grants, () => ({ head: GRANT_HEAD, rows: grants.map(grantRow) }));
  });

  const policy = example(new Command("policy").description("policies: list, get"), [
    "portcullis policy get deploy-prod -o yaml",
  ]);
  addOutput(example(policy.command("list").description("every policy"), ["portcullis policy list"])).action(
    async (_o: unknown, command: Command) => {
      const { policies } = await cli.client(command).request<{
        policies: Array<{
          name: string;
          description: string | null;
          builtIn: boolean;
          version: number;
          updatedAt: string;
          roles: Array<{ name: string }>;
        }>;
      }>(OPERATIONS.Policies);
      cli.print(command, policies, () => ({
        head: ["NAME", "DESCRIPTION", "USED BY", "VERSION", "UPDATED", "BUILT-IN"],
        rows: policies.map((p) => [
          p.name,
          p.description,
          names(p.roles),
          p.version,
          p.updatedAt,
          p.builtIn ? "yes" : "",
        ]),
      }));
    },
  );
  addOutput(
    example(
      policy
        .command("get")
        .argument("<name>")
        .description("a policy; -o yaml prints the document as createPolicy and bundles take it"),
      ["portcullis policy get deploy-prod -o yaml > policies/deploy-prod.yaml"],
    ),
  ).action(async (name: string, _o: unknown, command: Command) => {
    const { policy: found } = await cli
      .client(command)
      .request<{ policy: PolicyDetail | null }>(OPERATIONS.Policy, { name });
    if (!found) throw new CliError(`not found: no policy named '${name}'`, EXIT.DENIED);
    // YAML is the document itself (comments and order as written), not a re-serialisation of the object.
    if (outputFormat(command.opts<{ output?: string }>().output) === "yaml") {
      cli.io.out(found.document.endsWith("\n") ? found.document : found.document + "\n");
      return;
    }
    cli.print(
      command,
      found,
      () =>
        [
          `${found.name} v${found.version}${found.builtIn ? " (built-in)" : ""}${found.description ? `: ${found.description}` : ""}`,
          `used by: ${names(found.roles) || "no role"}`,
          "rules:",
          ...found.rules.map((r, i) => `  [${i}] ${ruleLine(r)}`),
        ].join("\n") + "\n",
    );
  });

  const type = example(new Command("type").description("resource types"), ["portcullis type list"]);
  addOutput(
    example(type.command("list").description("every resource type with its capabilities and their levels"), [
      "portcullis type list",
    ]),
  ).action(async (_o: unknown, command: Command) => {
    const { resourceTypes } = await cli
      .client(command)
      .request<{ resourceTypes: Array<{ name: string; capabilities: Array<{ capability: string; level: string }> }> }>(
        OPERATIONS.ResourceTypes,
      );
    cli.print(command, resourceTypes, () => ({
      head: ["TYPE", "CAPABILITIES (LEVEL)"],
      rows: resourceTypes.map((t) => [
        t.name,
        t.capabilities.map((c) => `${c.capability} (${c.level.toLowerCase()})`).join(", "),
      ]),
    }));
  });
  return [role, grant, policy, type];
}
