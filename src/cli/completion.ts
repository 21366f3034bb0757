// `portcullis completion bash|zsh|fish`: completion scripts generated from the
// command tree itself, so every command and option commander knows is offered.
import type { Command } from "commander";

interface Node {
  path: string[];
  command: Command;
}

function walk(command: Command, path: string[] = []): Node[] {
  return [{ path, command }, ...command.commands.flatMap((c) => walk(c, [...path, c.name()]))];
}

const words = (command: Command): string[] => [
  ...command.commands.map((c) => c.name()),
  ...command.options.flatMap((o) => [o.long, o.short].filter((x): x is string => Boolean(x))),
  "--help",
];

const quote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;

function bash(program: Command): string {
  const nodes = walk(program);
  const paths = nodes
    .filter((n) => n.path.length > 0)
    .map((n) => JSON.stringify(n.path.join(" ")))
    .join("|");
  const cases = nodes
    .map((n) => `    ${JSON.stringify(n.path.join(" "))}) words=${quote(words(n.command).join(" "))};;`)
    .join("\n");
  return `# portcullis completion for bash (and zsh through bashcompinit)
_portcullis() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" next i words
  for ((i=1; i<COMP_CWORD; i++)); do
    next="\${path:+$path }\${COMP_WORDS[i]}"
    case "$next" in
      ${paths}) path="$next";;
    esac
  done
  case "$path" in
${cases}
    *) words="";;
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F _portcullis portcullis
`;
}

function zsh(program: Command): string {
  return `# portcullis completion for zsh
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bash(program)}`;
}

function fish(program: Command): string {
  const lines = ["# portcullis completion for fish", "complete -c portcullis -f"];
  for (const { path, command } of walk(program)) {
    const condition =
      path.length === 0
        ? "__fish_use_subcommand"
        : `__fish_seen_subcommand_from ${path[path.length - 1]}${path.length > 1 ? `; and __fish_seen_subcommand_from ${path[path.length - 2]}` : ""}`;
    for (const sub of command.commands)
      lines.push(`complete -c portcullis -n ${quote(condition)} -a ${sub.name()} -d ${quote(sub.description())}`);
    for (const option of command.options) {
      const flags = [
        option.long ? `-l ${option.long.replace(/^--/, "")}` : "",
        option.short ? `-s ${option.short.replace(/^-/, "")}` : "",
      ]
        .filter(Boolean)
        .join(" ");
      lines.push(
        `complete -c portcullis -n ${quote(path.length === 0 ? "true" : condition)} ${flags}${option.required || option.optional ? " -r" : ""} -d ${quote(option.description)}`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

export const SHELLS = ["bash", "zsh", "fish"] as const;

export function completionScript(program: Command, shell: (typeof SHELLS)[number]): string {
  return shell === "bash" ? bash(program) : shell === "zsh" ? zsh(program) : fish(program);
}
