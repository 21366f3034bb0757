// request ROLE…, request list|cancel, review ID: access requests from a terminal.
import { Command, Option } from "commander";
import { usageError } from "../cli-error";
import type { Cli } from "../cli-context";
import { parseTtl } from "../arguments";
import { REQUEST_OPERATIONS, type AccessRequestView } from "../operations-requests";
import { joinList, renderTable } from "../output";
import { addOutput, example } from "./command-kit";

const STATUSES = ["PENDING", "APPROVED", "DENIED", "EXPIRED", "CANCELLED"];
const HEAD = ["ID", "REQUESTER", "ROLES", "SCOPE", "STATUS", "REVIEWS", "REASON", "CREATED", "EXPIRES"];

function row(r: AccessRequestView) {
  const approvals = r.reviews.filter((v) => v.approve).length;
  const denials = r.reviews.length - approvals;
  return [
    r.id,
    r.requester.email,
    joinList(r.roles.map((x) => x.name)),
    r.scope || "*",
    r.status,
    `${approvals}/${r.approvalsRequired} approve, ${denials}/${r.denialsRequired} deny`,
    r.reason,
    r.createdAt,
    r.expiresAt ?? "",
  ];
}

export function requestCommands(cli: Cli): Command[] {
  // No --output on `request` itself: its options would also be read after `list` and `cancel`.
  const request = example(
    new Command("request")
      .description(
        "ask for roles for a while, with a reason; reviewers approve or deny (see also: request list, request cancel, review)",
      )
      .argument("[roles...]", "the roles to ask for")
      .option("--reason <reason>", "why you need them (shown to reviewers, kept in the audit trail); required")
      .option("--ttl <duration>", "for how long once approved, e.g. 1h", parseTtl)
      .option("--scope <namespace>", "only under this namespace subtree", ""),
    [
      "portcullis request ops --reason 'INC-1234: restart prod web' --ttl 1h",
      "portcullis request list --status PENDING",
      "portcullis request cancel 4b1e…",
    ],
  ).action(async (roles: string[], options: { reason?: string; ttl?: number; scope: string }, command: Command) => {
    if (roles.length === 0)
      throw usageError("request: name at least one role, e.g. portcullis request ops --reason '…'");
    if (!options.reason) throw usageError("request: --reason is required (reviewers read it)");
    const { requestAccess: created } = await cli
      .client(command)
      .request<{ requestAccess: AccessRequestView }>(REQUEST_OPERATIONS.RequestAccess, {
        roles,
        reason: options.reason,
        ttlSeconds: options.ttl ?? null,
        scope: options.scope,
      });
    cli.io.out(renderTable({ head: HEAD, rows: [row(created)] }));
    cli.note(
      `Request ${created.id} is ${created.status}${created.status === "PENDING" ? `; a reviewer approves it with: portcullis review ${created.id} --approve` : ""}.`,
    );
  });
  // `request list` and `request cancel` are subcommands; any other first word is a role name.
  addOutput(
    example(
      request
        .command("list")
        .description("access requests you may see (yours, and those you may review)")
        .addOption(
          new Option("--status <status>", "only requests in this state")
            .choices(STATUSES)
            .argParser((v) => v.toUpperCase()),
        ),
      ["portcullis request list", "portcullis request list --status PENDING -o json"],
    ),
  ).action(async (options: { status?: string }, command: Command) => {
    const { accessRequests } = await cli
      .client(command)
      .request<{ accessRequests: AccessRequestView[] }>(REQUEST_OPERATIONS.AccessRequests, {
        status: options.status ?? null,
      });
    cli.print(command, accessRequests, () => ({ head: HEAD, rows: accessRequests.map(row) }));
  });
  addOutput(
    example(request.command("cancel").argument("<id>").description("withdraw one of your pending requests"), [
      "portcullis request cancel 4b1e…",
    ]),
  ).action(async (id: string, _o: unknown, command: Command) => {
    const { cancelAccessRequest: cancelled } = await cli
      .client(command)
      .request<{ cancelAccessRequest: AccessRequestView }>(REQUEST_OPERATIONS.CancelAccessRequest, { id });
    cli.print(command, cancelled, () => ({ head: HEAD, rows: [row(cancelled)] }));
  });

  const review = addOutput(
    example(
      new Command("review")
        .description("approve or deny an access request")
        .argument("<id>", "the request (request list shows them)")
        .option("--approve", "approve it")
        .option("--deny", "deny it")
        .option("--comment <comment>", "for the requester and the audit trail"),
      [
        "portcullis review 4b1e… --approve --comment 'ok for INC-1234'",
        "portcullis review 4b1e… --deny --comment 'use the runbook instead'",
      ],
    ),
  ).action(async (id: string, options: { approve?: boolean; deny?: boolean; comment?: string }, command: Command) => {
    if (Boolean(options.approve) === Boolean(options.deny))
      throw usageError("review: give exactly one of --approve or --deny");
    const { reviewAccessRequest: reviewed } = await cli
      .client(command)
      .request<{ reviewAccessRequest: AccessRequestView }>(REQUEST_OPERATIONS.ReviewAccessRequest, {
        id,
        approve: Boolean(options.approve),
        comment: options.comment ?? null,
      });
    cli.print(command, reviewed, () => ({ head: HEAD, rows: [row(reviewed)] }));
    cli.note(`Request ${reviewed.id} is now ${reviewed.status}.`);
  });
  return [request, review];
}
