// What every command gets: the streams, the configuration file, the target
// server and credential, and a GraphQL client for them.
import type { Command } from "commander";
import { CliError, EXIT } from "./cli-error";
import { configPath, readConfig, resolveTarget, type CliConfigFile, type Target } from "./config-store";
import { GraphQLClient } from "./graphql-client";
import { OPERATIONS } from "./operations";
import { outputFormat, print, type Io, type TableView } from "./output";

export interface GlobalOptions {
  server?: string;
  context?: string;
}

export class Cli {
  readonly configFile: string;

  constructor(
    readonly io: Io,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.configFile = configPath(env);
  }

  config(): CliConfigFile {
    return readConfig(this.configFile);
  }

  target(command: Command): Target {
    const globals = command.optsWithGlobals<GlobalOptions>();
    return resolveTarget(this.config(), { context: globals.context, server: globals.server }, this.env);
  }

  client(command: Command): GraphQLClient {
    const target = this.target(command);
    return new GraphQLClient(target.server, target.secret);
  }

  /** The id of the user with this email; exit 1 when there is none. */
  async userId(client: GraphQLClient, email: string): Promise<string> {
    const { user } = await client.request<{ user: { id: string } | null }>(OPERATIONS.UserByEmail, { email });
    if (!user) throw new CliError(`not found: no user with email '${email}'`, EXIT.DENIED);
    return user.id;
  }

  /** Prints a read command's result in the format of its --output option. */
  print(command: Command, value: unknown, view: () => TableView | string): void {
    print(this.io, outputFormat(command.opts<{ output?: string }>().output), value, view);
  }

  /** A line of information for the person (stderr), never part of what scripts parse. */
  note(line: string): void {
    this.io.err(line + "\n");
  }
}
