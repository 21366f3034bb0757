// user list|show|create|lock|unlock|deprovision|reactivate. Users are named by email.
import { Command, Option } from "commander";
import { CliError, EXIT } from "../cli-error";
import type { Cli } from "../cli-context";
import { collect } from "../arguments";
import { OPERATIONS, type GrantView, type TokenView, type UserView } from "../operations";
import { joinList } from "../output";
import { addOutput, example } from "./command-kit";

const PAGE = 500;

const userRow = (u: UserView) => [
  u.email,
  u.displayName,
  u.kind,
  u.status,
  u.source,
  u.mfaEnrolled ? "yes" : "no",
  u.lastSeenAt ?? "never",
];
const USER_HEAD = ["EMAIL", "NAME", "KIND", "STATUS", "SOURCE", "MFA", "LAST SEEN"];

export function userCommands(cli: Cli): Command {
  const user = example(
    new Command("user").description("users: list, show, create, lock, unlock, deprovision, reactivate"),
    ["portcullis user show alice@example.com", "portcullis user lock alice@example.com --reason 'laptop lost'"],
  );

  addOutput(
    example(user.command("list").description("every user"), [
      "portcullis user list",
      "portcullis user list -o json | jq -r '.[].email'",
    ]),
  ).action(async (_options: unknown, command: Command) => {
    const client = cli.client(command);
    const all: UserView[] = [];
    for (let after: string | null = null; ;) {
      const { users }: { users: UserView[] } = await client.request<{ users: UserView[] }>(OPERATIONS.Users, {
        after,
        first: PAGE,
      });
      all.push(...users);
      if (users.length < PAGE) break;
      after = users[users.length - 1].id;
    }
    cli.print(command, all, () => ({ head: USER_HEAD, rows: all.map(userRow) }));
  });

  addOutput(
    example(user.command("show").argument("<email>").description("a user with their grants and tokens"), [
      "portcullis user show alice@example.com",
    ]),
  ).action(async (email: string, _options: unknown, command: Command) => {
    const { user: found } = await cli
      .client(command)
      .request<{ user: (UserView & { grants: GrantView[]; tokens: TokenView[] }) | null }>(OPERATIONS.UserShow, {
        email,
      });
    if (!found) throw new CliError(`not found: no user with email '${email}'`, EXIT.DENIED);
    cli.print(
      command,
      found,
      () =>
        [
          `${found.email}${found.displayName ? ` (${found.displayName})` : ""}: ${found.kind}, ${found.status}, source ${found.source}, MFA ${found.mfaEnrolled ? "enrolled" : "not enrolled"}`,
          `groups: ${joinList(found.groups) || "none"}`,
          `grants: ${found.grants.length === 0 ? "none" : ""}`,
          ...found.grants.map(
            (g) =>
              `  ${g.role.name}${g.scope ? ` in ${g.scope}` : ""} (${g.source}${g.expiresAt ? `, until ${g.expiresAt}` : ""}${g.active ? "" : ", inactive"}) ${g.id}`,
          ),
          `tokens: ${found.tokens.length === 0 ? "none" : ""}`,
          ...found.tokens.map(
            (t) => `  ${t.name} ${t.hint} ${t.revokedAt ? "revoked" : `expires ${t.expiresAt ?? "never"}`} ${t.id}`,
          ),
        ].join("\n") + "\n",
    );
  });

  addOutput(
    example(
      user
        .command("create")
        .argument("<email>")
        .description("create a local user")
        .option("--name <display name>", "display name")
        .addOption(new Option("--kind <kind>", "HUMAN or SERVICE").choices(["HUMAN", "SERVICE"]).default("HUMAN"))
        .option("--role <role>", "grant this role, unscoped (repeatable)", collect)
        .option("--group <group>", "member of this group (repeatable)", collect),
      [
        "portcullis user create alice@example.com --name 'Alice' --role viewer",
        "portcullis user create ci@example.com --kind SERVICE --role cicd",
      ],
    ),
  ).action(
    async (
      email: string,
      options: { name?: string; kind: string; role?: string[]; group?: string[] },
      command: Command,
    ) => {
      const { createUser } = await cli.client(command).request<{ createUser: UserView }>(OPERATIONS.CreateUser, {
        input: {
          email,
          displayName: options.name ?? null,
          kind: options.kind,
          roles: options.role ?? [],
          groups: options.group ?? [],
        },
      });
      cli.print(command, createUser, () => ({ head: USER_HEAD, rows: [userRow(createUser)] }));
    },
  );

  const change = (
    name: string,
    description: string,
    operation: keyof typeof OPERATIONS,
    field: string,
    extra?: (c: Command) => Command,
  ) => {
    const command = addOutput(
      example(user.command(name).argument("<email>").description(description), [
        `portcullis user ${name} alice@example.com`,
      ]),
    );
    extra?.(command);
    command.action(async (email: string, options: { reason?: string }, cmd: Command) => {
      const client = cli.client(cmd);
      const id = await cli.userId(client, email);
      const result = await client.request<Record<string, UserView>>(OPERATIONS[operation], {
        id,
        ...(options.reason ? { reason: options.reason } : {}),
      });
      const changed = result[field];
      cli.print(cmd, changed, () => `${changed.email} is now ${changed.status}\n`);
    });
  };
  change("lock", "lock a user: every credential stops working until unlocked", "LockUser", "lockUser", (c) =>
    c.option("--reason <reason>", "why (kept with the user)"),
  );
  change("unlock", "unlock a locked user", "UnlockUser", "unlockUser");
  change(
    "deprovision",
    "lock the user and revoke every token, session and grant",
    "DeprovisionUser",
    "deprovisionUser",
  );
  change(
    "reactivate",
    "make a deprovisioned user active again (without grants or credentials)",
    "ReactivateUser",
    "reactivateUser",
  );
  return user;
}
