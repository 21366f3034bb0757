// Small helpers every command module uses to declare itself the same way.
import { Option, type Command } from "commander";
import { OUTPUT_FORMATS } from "../output";

/** Adds `-o, --output table|json|yaml` (or the formats given) to a read command. */
export function addOutput(command: Command, formats: readonly string[] = OUTPUT_FORMATS): Command {
  return command.addOption(new Option("-o, --output <format>", "output format").choices([...formats]).default("table"));
}

/** Appends examples to the command's --help. */
export function example(command: Command, examples: string[]): Command {
  return command.addHelpText("after", `\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}\n`);
}
