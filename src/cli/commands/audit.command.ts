// audit search|export|verify|tail.
import { createReadStream } from "node:fs";
import { Command, Option } from "commander";
import { CliError, EXIT } from "../cli-error";
import type { Cli } from "../cli-context";
import { checkChain } from "../audit-chain";
import { tailAudit } from "../audit-tail";
import { parsePositiveInt, parseWhen } from "../arguments";
import { OPERATIONS, type AuditEventView } from "../operations";
import { painter, print } from "../output";
import { addOutput, example } from "./command-kit";

interface FilterOptions {
  user?: string;
  role?: string;
  decision?: string;
  resource?: string;
  name?: string;
  operation?: string;
  since?: string;
  until?: string;
}

function addFilters(command: Command, withTime = true): Command {
  command
    .option("--user <email>", "events of this actor")
    .option("--role <role>", "events whose actor held this role")
    .addOption(new Option("--decision <decision>", "only allows or only denies").choices(["allow", "deny"]))
    .option("--resource <type>", "events about this resource type")
    .option("--name <name>", "events about the resource with this name")
    .option("--operation <operation>", "events of this operation, e.g. Mutation.createRole or check");
  if (withTime) {
    command
      .option("--since <when>", "from this time: a duration back from now (7d, 12h) or a date", (v) => parseWhen(v))
      .option("--until <when>", "before this time (same forms as --since)", (v) => parseWhen(v));
  }
  return command;
}

function filterOf(o: FilterOptions): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  if (o.user) filter.actorEmail = o.user;
  if (o.role) filter.role = o.role;
  if (o.decision) filter.decision = o.decision.toUpperCase();
  if (o.resource) filter.resourceType = o.resource;
  if (o.name) filter.resourceName = o.name;
  if (o.operation) filter.operation = o.operation;
  if (o.since) filter.since = o.since;
  if (o.until) filter.until = o.until;
  return filter;
}

const resourceOf = (e: AuditEventView) =>
  e.resourceType ? [e.resourceType, e.resourceNamespace, e.resourceName].filter((x) => x).join("/") : "";

function eventLine(e: AuditEventView, paint: ReturnType<typeof painter>): string {
  const decision = e.decision === "DENY" ? paint("red", "DENY ") : paint("green", "ALLOW");
  return (
    `${e.time} ${decision} ${e.actorEmail ?? e.actorId ?? "-"} ${e.operation}${e.action ? ` ${e.action}` : ""} ${resourceOf(e)} ${e.reason}` +
    `${e.requestId ? ` req=${e.requestId}` : ""} #${e.sequence}`
  );
}

export function auditCommands(cli: Cli): Command {
  const audit = example(new Command("audit").description("the audit trail: search, export, verify, tail"), [
    "portcullis audit search --decision deny --since 1d",
    "portcullis audit tail --deny",
  ]);

  const search = addOutput(addFilters(audit.command("search").description("search events, newest first")), [
    "table",
    "json",
    "yaml",
    "ndjson",
  ]);
  example(
    search
      .addOption(new Option("--format <format>", "same as --output").choices(["table", "json", "yaml", "ndjson"]))
      .option("--limit <n>", "at most this many events", parsePositiveInt, 100),
    [
      "portcullis audit search --decision deny --since 1d",
      "portcullis audit search --user ci@example.com --resource job --format ndjson",
    ],
  ).action(async (options: FilterOptions & { limit: number; format?: string; output: string }, command: Command) => {
    const client = cli.client(command);
    const events: AuditEventView[] = [];
    let after: string | null = null;
    while (events.length < options.limit) {
      const page: { auditEvents: { nextCursor: string | null; nodes: AuditEventView[] } } = await client.request(
        OPERATIONS.AuditEvents,
        {
          filter: filterOf(options),
          first: Math.min(500, options.limit - events.length),
          after,
        },
      );
      events.push(...page.auditEvents.nodes);
      after = page.auditEvents.nextCursor;
      if (!after || page.auditEvents.nodes.length === 0) break;
    }
    const format = options.format ?? options.output;
    if (format === "ndjson") return void cli.io.out(events.map((e) => JSON.stringify(e) + "\n").join(""));
    print(cli.io, format, events, () => ({
      head: ["TIME", "DECISION", "ACTOR", "OPERATION", "ACTION", "RESOURCE", "REASON", "SEQ"],
      rows: events.map((e) => [
        e.time,
        e.decision,
        e.actorEmail ?? e.actorId,
        e.operation,
        e.action,
        resourceOf(e),
        e.reason,
        e.sequence,
      ]),
    }));
  });

  example(
    addFilters(
      audit.command("export").description("stream events as NDJSON, oldest first, from the server's /audit/export"),
    ),
    [
      "portcullis audit export --since 30d > audit.ndjson",
      "portcullis audit export --decision deny --since 2026-01-01 | gzip > denies.ndjson.gz",
    ],
  ).action(async (options: FilterOptions, command: Command) => {
    const client = cli.client(command);
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(filterOf(options))) params.set(key, String(value));
    const res = await client.get(`/audit/export${params.size ? `?${params.toString()}` : ""}`, "application/x-ndjson");
    let lines = 0;
    let bytes = 0;
    const progress = cli.io.errTty
      ? setInterval(() => cli.io.err(`\r${lines} events, ${(bytes / 1e6).toFixed(1)} MB`), 250)
      : null;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        for (const byte of chunk) if (byte === 10) lines++;
        if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once("drain", r));
      }
    } catch (err) {
      throw new CliError(`the export stopped after ${lines} events: ${(err as Error).message}`, EXIT.UNREACHABLE);
    } finally {
      if (progress) {
        clearInterval(progress);
        cli.io.err(`\r${lines} events, ${(bytes / 1e6).toFixed(1)} MB\n`);
      }
    }
  });

  addOutput(
    example(
      audit
        .command("verify")
        .description(
          "verify the hash chain: the server's whole trail, or an exported file (- for stdin) recomputed here",
        )
        .argument("[file]", "an NDJSON export")
        .option(
          "--partial",
          "accept a file with sequence gaps (a filtered export): each event and each contiguous run is still checked",
        ),
      [
        "portcullis audit verify",
        "portcullis audit export --since 30d > audit.ndjson && portcullis audit verify audit.ndjson",
      ],
    ),
  ).action(async (file: string | undefined, options: { partial?: boolean }, command: Command) => {
    if (file === undefined) {
      const { verifyAuditChain: report } = await cli
        .client(command)
        .request<{ verifyAuditChain: { ok: boolean; checked: number; firstBrokenSequence: number | null } }>(
          OPERATIONS.VerifyAuditChain,
        );
      cli.print(command, report, () =>
        report.ok
          ? `ok: the server's chain holds (${report.checked} events checked)\n`
          : `broken: the server's chain breaks at sequence ${report.firstBrokenSequence} (${report.checked} events checked)\n`,
      );
      if (!report.ok) process.exitCode = EXIT.DENIED;
      return;
    }
    const input = file === "-" ? process.stdin : createReadStream(file);
    const opened = new Promise<void>((resolve, reject) =>
      file === "-" ? resolve() : input.once("open", () => resolve()).once("error", reject),
    );
    await opened.catch((err: Error) => {
      throw new CliError(`cannot read ${file}: ${err.message}`, EXIT.USAGE);
    });
    const report = await checkChain(input, cli.io.errTty ? (n) => cli.io.err(`\r${n} events checked`) : undefined);
    const gapsFail = report.gaps.length > 0 && !options.partial;
    const ok = report.broken === null && !gapsFail && report.checked > 0;
    cli.print(command, { ok, ...report }, () => {
      if (report.broken)
        return `broken: line ${report.broken.line}${report.broken.sequence !== null ? ` (sequence ${report.broken.sequence})` : ""}: ${report.broken.problem}\n`;
      if (report.checked === 0) return `broken: ${file} holds no events\n`;
      const gaps = report.gaps.map((g) => `${g.after + 1}–${g.before - 1}`).join(", ");
      if (gapsFail)
        return `incomplete: events missing at sequences ${gaps}; the file is filtered or cut (use --partial to accept that)\n`;
      return `ok: ${report.checked} events, sequences ${report.firstSequence}–${report.lastSequence}, chain intact${gaps ? ` except across the gaps ${gaps}` : ""}; head ${report.head}\n`;
    });
    if (!ok) process.exitCode = EXIT.DENIED;
  });

  addOutput(
    example(
      addFilters(
        audit.command("tail").description("follow events live (reconnects without losing any); Ctrl-C stops"),
        false,
      ).option("--deny", "only denies (same as --decision deny)"),
      ["portcullis audit tail --deny", "portcullis audit tail --resource secret -o json | jq ."],
    ),
    ["table", "json"],
  ).action(async (options: FilterOptions & { deny?: boolean; output: string }, command: Command) => {
    const target = cli.target(command);
    const client = cli.client(command);
    const filter = filterOf({ ...options, decision: options.deny ? "deny" : options.decision });
    const paint = painter(cli.io.outTty, cli.env);
    let onSignal!: () => void;
    const stop = new Promise<void>((resolve) => (onSignal = resolve));
    process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
    await tailAudit({
      server: target.server,
      authorization: client.authorization(),
      filter,
      stop,
      tell: (line) => cli.note(line),
      onEvent: (e) => cli.io.out(options.output === "json" ? JSON.stringify(e) + "\n" : eventLine(e, paint) + "\n"),
    });
  });
  return audit;
}
