// plan and apply: policies, roles, resource types and SSO mappings from YAML in git.
import { createInterface } from "node:readline/promises";
import { Command, Option } from "commander";
import { CliError, EXIT, usageError } from "../cli-error";
import type { Cli } from "../cli-context";
import { collect, parsePositiveInt } from "../arguments";
import { readBundle, withOrigin, type BundleSource } from "../bundle-files";
import { renderPlan } from "../bundle-render";
import type { GraphQLClient } from "../graphql-client";
import { BUNDLE_OPERATIONS, type BundlePlanView } from "../operations-bundles";
import { painter, print } from "../output";
import { addOutput, example } from "./command-kit";

const PRUNABLE = ["policy", "role"];

interface BundleOptions {
  filename: string[];
  prune?: string[] | true;
  replay: boolean;
  replayDays: number;
  output: string;
}

function pruneKinds(prune: string[] | true | undefined): string[] | null {
  if (prune === undefined) return null;
  const kinds = prune === true ? PRUNABLE : prune;
  for (const kind of kinds)
    if (!PRUNABLE.includes(kind)) throw usageError(`--prune: '${kind}' is not one of ${PRUNABLE.join(", ")}`);
  return kinds;
}

function bundleOptions(command: Command): Command {
  return command
    .requiredOption("-f, --filename <path>", "a YAML file or a folder of them (repeatable)", collect)
    .addOption(
      new Option(
        "--prune [kinds]",
        `delete objects of these kinds (${PRUNABLE.join(",")}; default both) that the documents do not mention`,
      ).argParser(collect),
    )
    .option("--no-replay", "skip replaying the audit trail against the new state")
    .option("--replay-days <days>", "how many days of the audit trail to replay", parsePositiveInt, 30);
}

async function runPlan(
  cli: Cli,
  client: GraphQLClient,
  source: BundleSource,
  options: BundleOptions,
  apply: { expectedVersion: number } | null,
): Promise<BundlePlanView> {
  const progress =
    cli.io.errTty && !apply && options.replay
      ? setTimeout(() => cli.note(`planning, replaying ${options.replayDays} days of audit…`), 500)
      : null;
  try {
    const { applyBundle } = await client.request<{ applyBundle: BundlePlanView }>(BUNDLE_OPERATIONS.ApplyBundle, {
      document: source.document,
      dryRun: apply === null,
      expectedVersion: apply?.expectedVersion ?? null,
      prune: pruneKinds(options.prune),
      replayDays: options.replayDays,
      withReplay: apply === null && options.replay,
    });
    return applyBundle;
  } catch (err) {
    if (err instanceof CliError) throw new CliError(withOrigin(err.message, source), err.exitCode);
    throw err;
  } finally {
    if (progress) clearTimeout(progress);
  }
}

async function confirm(server: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(`Apply these changes to ${server}? Type yes to go on: `)).trim() === "yes";
  } finally {
    rl.close();
  }
}

export function bundleCommands(cli: Cli): Command[] {
  const plan = addOutput(
    example(
      bundleOptions(new Command("plan"))
        .description(
          "show what applying the documents would change: objects, who gains and loses what, which past decisions would flip",
        )
        .option("--exit-code", "exit 2 when there are changes, 0 when there are none (for CI)"),
      ["portcullis plan -f policies/", "portcullis plan -f policies/ -f roles/ --prune --exit-code"],
    ),
  ).action(async (options: BundleOptions & { exitCode?: boolean }, command: Command) => {
    const source = readBundle(options.filename);
    const result = await runPlan(cli, cli.client(command), source, options, null);
    print(cli.io, options.output, result, () => renderPlan(result, painter(cli.io.outTty, cli.env)));
    if (options.exitCode && result.changes.length > 0) process.exitCode = EXIT.USAGE;
  });

  const apply = addOutput(
    example(
      bundleOptions(new Command("apply"))
        .description(
          "plan, ask, then apply the documents in one transaction (refused if the server changed since the plan)",
        )
        .option("-y, --yes", "do not ask for confirmation"),
      ["portcullis apply -f policies/", "portcullis apply -f policies/ --prune --yes"],
    ),
  ).action(async (options: BundleOptions & { yes?: boolean }, command: Command) => {
    const source = readBundle(options.filename);
    const client = cli.client(command);
    const planned = await runPlan(cli, client, source, options, null);
    const paint = painter(cli.io.errTty, cli.env);
    // The plan goes to stderr: stdout carries only the result of the apply.
    cli.io.err(renderPlan(planned, paint));
    if (planned.changes.length === 0) {
      print(cli.io, options.output, planned, () => "Nothing to apply.\n");
      return;
    }
    if (!options.yes) {
      if (!process.stdin.isTTY)
        throw usageError("apply: not applying without confirmation; pass --yes when not at a terminal");
      if (!(await confirm(client.server))) throw new CliError("apply: not confirmed; nothing changed", EXIT.DENIED);
    }
    const applied = await runPlan(cli, client, source, options, { expectedVersion: planned.version }).catch(
      (err: unknown) => {
        if (err instanceof CliError && err.message.startsWith("conflict:")) {
          throw new CliError(
            `${err.message} — the server's policies changed since the plan above; run apply again to see the new plan`,
            err.exitCode,
          );
        }
        throw err;
      },
    );
    const s = applied.summary;
    print(
      cli.io,
      options.output,
      applied,
      () => `Applied: ${s.created} created, ${s.updated} updated, ${s.deleted} deleted.\n`,
    );
  });
  return [plan, apply];
}
