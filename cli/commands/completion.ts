/**
 * `envplane completion bash|zsh|fish`: a completion script generated from the command specs,
 * so it offers exactly the commands, subcommands and options the parser accepts.
 */
import type { CommandSpec, OptionSpec } from "../command.js";
import { UsageError } from "../errors.js";

interface Node {
  words: string[];
  options: { long: string; short?: string; takesValue: boolean; description: string }[];
}

interface Tree {
  /** Every command path prefix ("", "env", "env set", …) with the words that may follow it. */
  nodes: Map<string, Node>;
}

const GLOBAL = ["--help", "--version"];

function tree(specs: CommandSpec[]): Tree {
  const nodes: Tree["nodes"] = new Map();
  const node = (key: string) => {
    const found = nodes.get(key);
    if (found) return found;
    const created: Node = { words: [], options: [] };
    nodes.set(key, created);
    return created;
  };
  node("").words.push(...GLOBAL);
  for (const spec of specs) {
    spec.path.forEach((word, i) => {
      const parent = node(spec.path.slice(0, i).join(" "));
      if (!parent.words.includes(word)) parent.words.push(word);
    });
    const leaf = node(spec.path.join(" "));
    for (const a of spec.args ?? []) leaf.words.push(...(a.choices ?? []));
    const help: OptionSpec = { type: "boolean", short: "h", description: "Show this help." };
    const options = Object.entries({ ...spec.options, help });
    for (const [name, o] of options) {
      leaf.options.push({ long: name, short: o.short, takesValue: o.type === "string", description: o.description });
      leaf.words.push(`--${name}`);
    }
  }
  return { nodes };
}

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function bash(t: Tree): string {
  const known = [...t.nodes.keys()].filter(Boolean);
  const cases = [...t.nodes.entries()].map(([key, n]) => `    ${sq(key)}) words=${sq(n.words.join(" "))} ;;`);
  return `# envplane completion for bash. Load it with: source <(envplane completion bash)
_envplane() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="" next w i words=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    next="\${cmd:+$cmd }$w"
    case "|${known.join("|")}|" in
      *"|$next|"*) cmd="$next" ;;
      *) break ;;
    esac
  done
  case "$cmd" in
${cases.join("\n")}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _envplane envplane
`;
}

function zsh(t: Tree): string {
  const known = [...t.nodes.keys()].filter(Boolean);
  const cases = [...t.nodes.entries()].map(([key, n]) => `    ${sq(key)}) choices=(${n.words.map(sq).join(" ")}) ;;`);
  return `#compdef envplane
# envplane completion for zsh. Load it with: source <(envplane completion zsh) (after compinit)
_envplane() {
  local cmd="" next w i
  local -a choices
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    [[ "$w" == -* ]] && continue
    next="\${cmd:+$cmd }$w"
    case "|${known.join("|")}|" in
      *"|$next|"*) cmd="$next" ;;
      *) break ;;
    esac
  done
  case "$cmd" in
${cases.join("\n")}
  esac
  compadd -- "\${choices[@]}"
}
compdef _envplane envplane
`;
}

function fish(t: Tree): string {
  const known = [...t.nodes.keys()].filter(Boolean).map(sq).join(" ");
  const lines = [
    "# envplane completion for fish. Load it with: envplane completion fish | source",
    "function __envplane_command",
    "    set -l cmd ''",
    "    set -l words (commandline -opc)",
    "    set -e words[1]",
    "    for w in $words",
    "        string match -q -- '-*' $w; and continue",
    '        set -l next (string trim -- "$cmd $w")',
    `        contains -- $next ${known}; or break`,
    "        set cmd $next",
    "    end",
    "    echo $cmd",
    "end",
    "function __envplane_is",
    "    set -l cmd (__envplane_command)",
    '    test "$cmd" = "$argv[1]"',
    "end",
    "complete -c envplane -f",
  ];
  for (const [key, n] of t.nodes) {
    const when = `-n "__envplane_is '${key}'"`;
    const subcommands = n.words.filter((w) => !w.startsWith("-"));
    if (subcommands.length) lines.push(`complete -c envplane ${when} -a ${sq(subcommands.join(" "))}`);
    for (const o of n.options)
      lines.push(
        `complete -c envplane ${when} -l ${o.long}${o.short ? ` -s ${o.short}` : ""}${o.takesValue ? " -r" : ""} -d ${sq(o.description)}`,
      );
    if (key === "")
      lines.push(`complete -c envplane ${when} -l help -s h`, `complete -c envplane ${when} -l version -s v`);
  }
  return `${lines.join("\n")}\n`;
}

const SHELLS = { bash, zsh, fish };

export function completion(specs: () => CommandSpec[]): CommandSpec {
  return {
    path: ["completion"],
    summary: "Print a shell completion script (bash, zsh or fish).",
    args: [{ name: "shell", required: true, choices: Object.keys(SHELLS), description: "bash, zsh or fish." }],
    details: `Examples:
  source <(envplane completion bash)             # in ~/.bashrc
  source <(envplane completion zsh)              # in ~/.zshrc, after compinit
  envplane completion fish | source              # in ~/.config/fish/config.fish`,
    contextFree: true,
    async run(_ctx, { args }) {
      const generate = SHELLS[args.shell as keyof typeof SHELLS];
      if (!Object.hasOwn(SHELLS, args.shell!))
        throw new UsageError(`Unknown shell "${args.shell}". Give bash, zsh or fish.`);
      process.stdout.write(generate(tree(specs())));
    },
  };
}
