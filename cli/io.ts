/**
 * Terminal I/O: data to stdout; prompts, progress, warnings and errors to stderr; colour
 * only on a TTY and never with NO_COLOR; prompts only when stdin is a TTY and CI is not set.
 */
import { CliError } from "./errors.js";

type Paint = (text: string) => string;
export interface Palette {
  green: Paint;
  red: Paint;
  yellow: Paint;
  dim: Paint;
  bold: Paint;
}

function palette(enabled: boolean): Palette {
  const code = (open: number, close: number): Paint =>
    enabled ? (t) => `\u001b[${open}m${t}\u001b[${close}m` : (t) => t;
  return { green: code(32, 39), red: code(31, 39), yellow: code(33, 39), dim: code(2, 22), bold: code(1, 22) };
}

function isCI(env: NodeJS.ProcessEnv): boolean {
  const value = (env.CI ?? "").toLowerCase();
  return value !== "" && value !== "0" && value !== "false";
}

export class IO {
  /** Colours for what goes to stdout and to stderr. */
  readonly out: Palette;
  readonly err: Palette;
  /** Whether prompts may be shown. */
  readonly interactive: boolean;
  private readonly terminal: TerminalInput | null;

  constructor(env: NodeJS.ProcessEnv) {
    const colour = (tty: boolean | undefined) => !!tty && env.NO_COLOR === undefined && env.TERM !== "dumb";
    this.out = palette(colour(process.stdout.isTTY));
    this.err = palette(colour(process.stderr.isTTY));
    this.interactive = !!process.stdin.isTTY && !isCI(env);
    this.terminal = this.interactive ? new TerminalInput() : null;
  }

  /** A line of data (stdout). */
  print(text = ""): void {
    process.stdout.write(`${text}\n`);
  }

  /** A completed action, on stdout: "✓ Pushed …". */
  done(text: string): void {
    this.print(`${this.out.green("✓")} ${text}`);
  }

  /** Progress and notes (stderr). */
  note(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    process.stderr.write(`${this.err.yellow("Warning:")} ${text}\n`);
  }

  error(text: string): void {
    process.stderr.write(`${this.err.red("Error:")} ${text}\n`);
  }

  /**
   * Asks for a line on the terminal (callers check `interactive` first); `tick` (or `tick(answer)`)
   * ends the line with ✓. The terminal is in raw mode before the question shows, so an answer
   * typed as soon as it appears is never echoed by the terminal itself.
   */
  async ask(
    question: string,
    { hidden = false, tick = false as boolean | ((answer: string) => boolean) } = {},
  ): Promise<string> {
    if (!this.terminal) throw new CliError("Internal error: prompted without a terminal.");
    this.terminal.start();
    process.stderr.write(question);
    const answer = await this.terminal.readLine(hidden);
    const ticked = typeof tick === "function" ? tick(answer.trim().toLowerCase()) : tick;
    process.stderr.write(ticked ? ` ${this.err.green("✓")}\n` : "\n");
    return answer;
  }

  /** [y/N] or [Y/n]; asks again until the answer is y, n or empty (the default). `tick`: end a valid answer with ✓. */
  async confirm(question: string, defaultYes = false, { tick = false } = {}): Promise<boolean> {
    const valid = (a: string) => tick && ["", "y", "yes", "n", "no"].includes(a);
    for (;;) {
      const answer = (await this.ask(`${question} ${defaultYes ? "[Y/n]" : "[y/N]"} `, { tick: valid }))
        .trim()
        .toLowerCase();
      if (answer === "") return defaultYes;
      if (answer === "y" || answer === "yes") return true;
      if (answer === "n" || answer === "no") return false;
      this.note("Please answer y or n.");
    }
  }

  /** One letter out of `letters` (lower case); asks again on anything else. Answers in `tick` end with ✓. */
  async choose(question: string, letters: string[], { tick = [] as string[] } = {}): Promise<string> {
    for (;;) {
      const answer = (await this.ask(question, { tick: (a) => tick.includes(a) })).trim().toLowerCase();
      if (letters.includes(answer)) return answer;
      this.note(`Please answer ${letters.slice(0, -1).join(", ")} or ${letters.at(-1)}.`);
    }
  }

  close(): void {
    this.terminal?.close();
  }
}

/**
 * Reads lines from a TTY in raw mode so hidden input can echo bullets. Typed-ahead input
 * is kept for the next prompt. Ctrl-C exits with 130; Ctrl-D on an empty line cancels.
 */
class TerminalInput {
  private buffer = "";
  private wake: (() => void) | null = null;
  private listening = false;

  /** Raw mode (no echo by the terminal) and reading; readLine calls it too. */
  start(): void {
    const stdin = process.stdin;
    if (!this.listening) {
      stdin.setEncoding("utf8");
      stdin.on("data", (chunk: string) => {
        this.buffer += chunk;
        this.wake?.();
      });
      this.listening = true;
    }
    stdin.setRawMode(true);
    stdin.resume();
  }

  async readLine(hidden: boolean): Promise<string> {
    const stdin = process.stdin;
    this.start();
    let value = "";
    try {
      for (;;) {
        while (!this.buffer) await new Promise<void>((resolve) => (this.wake = resolve));
        const ch = String.fromCodePoint(this.buffer.codePointAt(0)!);
        this.buffer = this.buffer.slice(ch.length);
        if (ch === "\r" || ch === "\n") {
          if (ch === "\r" && this.buffer.startsWith("\n")) this.buffer = this.buffer.slice(1);
          return value;
        }
        if (ch === "\u0003") {
          process.stderr.write("^C\n");
          this.close();
          process.exit(130);
        }
        if (ch === "\u0004" && value === "") {
          process.stderr.write("\n");
          throw new CliError("Cancelled: input ended before an answer. Nothing more was changed.");
        }
        if (ch === "\u007f" || ch === "\b") {
          if (value) {
            value = [...value].slice(0, -1).join("");
            process.stderr.write("\b \b");
          }
          continue;
        }
        if (ch === "\u001b") {
          this.buffer = this.buffer.replace(/^\[[0-9;]*[A-Za-z~]/, ""); // arrow keys and the like
          continue;
        }
        if (ch < " ") continue;
        value += ch;
        process.stderr.write(hidden ? "•" : ch);
      }
    } finally {
      this.wake = null;
      stdin.setRawMode(false);
      stdin.pause();
    }
  }

  close(): void {
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    process.stdin.pause();
  }
}

/** Everything on stdin (for `env set KEY -` and `login --token -`), without one trailing newline. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}
