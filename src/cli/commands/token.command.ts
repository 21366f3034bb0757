// token create|list|rotate|revoke. A new secret goes to stdout only, once;
// everything around it to stderr, so `--quiet` output can be captured as is.
import { Command } from "commander";
import { usageError } from "../cli-error";
import type { Cli } from "../cli-context";
import { collect, parseTtl } from "../arguments";
import { OPERATIONS, type TokenView } from "../operations";
import { joinList } from "../output";
import { addOutput, example } from "./command-kit";

interface Issued {
  secret: string;
  token: TokenView;
}

export function tokenCommands(cli: Cli): Command {
  const token = example(new Command("token").description("API tokens: create, list, rotate, revoke"), [
    "portcullis token create --name ci --role cicd --ttl 30d --quiet",
    "portcullis token list",
  ]);

  const printIssued = (issued: Issued, quiet: boolean | undefined) => {
    if (quiet) {
      cli.io.out(issued.secret + "\n");
      return;
    }
    const t = issued.token;
    cli.note(
      `Token ${t.id} '${t.name}' for ${t.owner.email}: roles ${joinList(t.roles.map((r) => r.name)) || "all of the owner's"}, ` +
        `expires ${t.expiresAt ?? "never"}${t.boundCidrs.length ? `, only from ${t.boundCidrs.join(", ")}` : ""}${t.breakGlass ? ", BREAK-GLASS" : ""}.`,
    );
    cli.note("The secret below is shown once; store it now.");
    cli.io.out(issued.secret + "\n");
  };

  example(
    token
      .command("create")
      .description("issue a token; prints its secret once")
      .requiredOption("--name <name>", "what the token is for")
      .option("--role <role>", "limit the token to this role of its owner (repeatable; default: all of them)", collect)
      .option("--ttl <duration>", "lifetime, e.g. 1h, 30d", parseTtl)
      .option("--cidr <cidr>", "only accept the token from this network (repeatable)", collect)
      .option("--user <email>", "owner (default: the caller)")
      .option("--break-glass", "a break-glass token (audited as such)")
      .option("-q, --quiet", "print the secret alone"),
    [
      "portcullis token create --name ci-deploy --role deployer --ttl 30d --cidr 10.0.0.0/8",
      "export PORTCULLIS_TOKEN=$(portcullis token create --name laptop --ttl 8h --quiet)",
    ],
  ).action(
    async (
      options: {
        name: string;
        role?: string[];
        ttl?: number;
        cidr?: string[];
        user?: string;
        breakGlass?: boolean;
        quiet?: boolean;
      },
      command: Command,
    ) => {
      const client = cli.client(command);
      const userId = options.user ? await cli.userId(client, options.user) : null;
      const { createToken } = await client.request<{ createToken: Issued }>(OPERATIONS.CreateToken, {
        input: {
          name: options.name,
          roles: options.role ?? [],
          ttlSeconds: options.ttl ?? null,
          boundCidrs: options.cidr ?? [],
          breakGlass: Boolean(options.breakGlass),
          userId,
        },
      });
      printIssued(createToken, options.quiet);
    },
  );

  addOutput(
    example(
      token
        .command("list")
        .description("tokens (the caller's, or a user's)")
        .option("--user <email>", "whose tokens")
        .option("--all", "include revoked tokens"),
      ["portcullis token list", "portcullis token list --user ci@example.com --all -o json"],
    ),
  ).action(async (options: { user?: string; all?: boolean }, command: Command) => {
    const client = cli.client(command);
    const userId = options.user ? await cli.userId(client, options.user) : null;
    const { tokens } = await client.request<{ tokens: TokenView[] }>(OPERATIONS.Tokens, {
      userId,
      includeRevoked: Boolean(options.all),
    });
    cli.print(command, tokens, () => ({
      head: ["ID", "NAME", "OWNER", "HINT", "ROLES", "EXPIRES", "LAST USED", "STATE"],
      rows: tokens.map((t) => [
        t.id,
        t.name,
        t.owner.email,
        t.hint,
        joinList(t.roles.map((r) => r.name)) || "(owner's)",
        t.expiresAt ?? "never",
        t.lastUsedAt ? `${t.lastUsedAt}${t.lastUsedIp ? ` from ${t.lastUsedIp}` : ""}` : "never",
        t.revokedAt ? `revoked ${t.revokedAt}` : t.breakGlass ? "active, break-glass" : "active",
      ]),
    }));
  });

  example(
    token
      .command("rotate")
      .description("replace a token's secret; the old one stops working, the new one is printed once")
      .argument("<id>", "token id")
      .option("-q, --quiet", "print the secret alone"),
    ["portcullis token rotate 6f1c…", "portcullis token rotate 6f1c… --quiet | vault kv put secret/ci token=-"],
  ).action(async (id: string, options: { quiet?: boolean }, command: Command) => {
    const { rotateToken } = await cli.client(command).request<{ rotateToken: Issued }>(OPERATIONS.RotateToken, { id });
    printIssued(rotateToken, options.quiet);
  });

  example(
    token
      .command("revoke")
      .description("revoke one token, or every token of a user")
      .argument("[id]", "token id")
      .option("--user <email>", "with --all: whose tokens")
      .option("--all", "every token of --user"),
    ["portcullis token revoke 6f1c…", "portcullis token revoke --user leaver@example.com --all"],
  ).action(async (id: string | undefined, options: { user?: string; all?: boolean }, command: Command) => {
    const client = cli.client(command);
    if (id !== undefined) {
      if (options.user || options.all)
        throw usageError("token revoke: give a token id, or --user EMAIL --all, not both");
      const { revokeToken } = await client.request<{ revokeToken: TokenView }>(OPERATIONS.RevokeToken, { id });
      cli.note(`Revoked token ${revokeToken.id} '${revokeToken.name}' of ${revokeToken.owner.email}.`);
      return;
    }
    if (!options.user || !options.all) throw usageError("token revoke: give a token id, or --user EMAIL --all");
    const userId = await cli.userId(client, options.user);
    const { revokeUserTokens } = await client.request<{ revokeUserTokens: number }>(OPERATIONS.RevokeUserTokens, {
      userId,
    });
    cli.note(`Revoked ${revokeUserTokens} token(s) of ${options.user}.`);
  });
  return token;
}
