/**
 * The dependency rules between our parts, read from the import specifiers of every .ts file
 * (parsed with the TypeScript compiler, so comments and strings never count):
 *
 * - core/ imports nothing of ours outside core/, no Node built-in (node:* or bare) and no
 *   package but zod and dotenv; it does not use Buffer, process, require or __dirname. It
 *   runs in a browser (the dashboard) as well as in Node.
 * - sdk/ imports nothing of ours but core/, and core/ only for types (`import type`).
 * - cli/ imports core/ and sdk/ only. The one exception: cli/commands/serve.run.ts (run code of `envplane serve`), which starts
 *   the server, may import server/main.ts or server/app.ts with a dynamic import().
 * - mcp/ and dashboard/ (when they exist) import core/ and sdk/ only.
 * - The server's inner layers (services, authz, events, crypto, db) never import its
 *   transport (schema, graphql, http, app.ts, main.ts).
 * - No import circles anywhere, type-only imports included.
 */
import fs from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const AREAS = ["core", "sdk", "cli", "server", "mcp", "dashboard"];
/** Generated output and dependencies: not our source. */
const SKIPPED_DIRS = new Set(["node_modules", "dist", "build", ".next", "generated"]);

const CORE_PACKAGES = new Set(["zod", "dotenv"]);
const CORE_FORBIDDEN_GLOBALS = new Set(["Buffer", "process", "require", "__dirname", "__filename"]);
const SERVER_INNER = ["server/services", "server/authz", "server/events", "server/crypto", "server/db"];
const SERVER_TRANSPORT = ["server/schema", "server/graphql", "server/http", "server/app.ts", "server/main.ts"];
/** The only file of a client allowed to reach into server/, and what it may import there (dynamically). */
const SERVE_COMMAND = "cli/commands/serve.run.ts";
const SERVE_TARGETS = ["server/main.ts", "server/app.ts"];
/** The MCP server's two transports: `envplane mcp` (stdio; import() only, so other commands never load it) and /mcp. */
const MCP_COMMAND = "cli/commands/mcp.run.ts";
const MCP_ROUTE = "server/http/mcp.ts";

interface Import {
  specifier: string;
  /** `import type`, `export type`, every named element `type`, or a type-position `import("x")`. */
  typeOnly: boolean;
  /** `import("x")` as an expression. */
  dynamic: boolean;
  line: number;
}

function parseImports(
  fileName: string,
  text: string,
): { imports: Import[]; globals: { name: string; line: number }[] } {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const imports: Import[] = [];
  const globals: { name: string; line: number }[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const allTypes =
        !!clause &&
        !clause.name &&
        !!bindings &&
        ts.isNamedImports(bindings) &&
        bindings.elements.length > 0 &&
        bindings.elements.every((e) => e.isTypeOnly);
      imports.push({
        specifier: node.moduleSpecifier.text,
        typeOnly: !!clause?.isTypeOnly || allTypes,
        dynamic: false,
        line: lineOf(node),
      });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      const allTypes =
        !!clause &&
        ts.isNamedExports(clause) &&
        clause.elements.length > 0 &&
        clause.elements.every((e) => e.isTypeOnly);
      imports.push({
        specifier: node.moduleSpecifier.text,
        typeOnly: node.isTypeOnly || allTypes,
        dynamic: false,
        line: lineOf(node),
      });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      imports.push({
        specifier: node.moduleReference.expression.text,
        typeOnly: node.isTypeOnly,
        dynamic: false,
        line: lineOf(node),
      });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      // A computed specifier cannot be checked: it is reported as such and fails every rule.
      imports.push({
        specifier: arg && ts.isStringLiteralLike(arg) ? arg.text : "<computed>",
        typeOnly: false,
        dynamic: true,
        line: lineOf(node),
      });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      imports.push({ specifier: node.argument.literal.text, typeOnly: true, dynamic: false, line: lineOf(node) });
    } else if (ts.isIdentifier(node) && CORE_FORBIDDEN_GLOBALS.has(node.text) && isGlobalReference(node)) {
      globals.push({ name: node.text, line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, globals };
}

/** An identifier that reads a variable (not `x.process`, `{ process: 1 }` or a declaration of its own). */
function isGlobalReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node)
    return parent.expression.getText() === "globalThis";
  if (
    (ts.isPropertyAssignment(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isMethodDeclaration(parent)) &&
    parent.name === node
  )
    return false;
  if (ts.isQualifiedName(parent) && parent.right === node) return false;
  if (
    (ts.isVariableDeclaration(parent) ||
      ts.isParameter(parent) ||
      ts.isFunctionDeclaration(parent) ||
      ts.isBindingElement(parent)) &&
    parent.name === node
  )
    return false;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) return false;
  return true;
}

/** Every cycle found by a depth-first search: one per back edge, as [a, b, …, a]. */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const s = state.get(next);
      if (s === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** The repository-relative .ts file a relative specifier names, or null when there is none. */
function resolveRelative(from: string, specifier: string): string | null {
  const base = path.resolve(path.dirname(path.join(ROOT, from)), specifier);
  const candidates = [
    base.replace(/\.js$/, ".ts"),
    base.replace(/\.js$/, ".tsx"),
    base,
    `${base}.ts`,
    path.join(base, "index.ts"),
  ];
  const found = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  return found ? path.relative(ROOT, found).split(path.sep).join("/") : null;
}

const under = (file: string, prefix: string) => file === prefix || file.startsWith(`${prefix}/`);
const isBuiltin = (specifier: string) =>
  specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0]);
const packageOf = (specifier: string) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");

interface Edge {
  from: string;
  to: string;
  imp: Import;
}

function loadProject() {
  const files = AREAS.flatMap((area) => sourceFiles(path.join(ROOT, area))).map((f) =>
    path.relative(ROOT, f).split(path.sep).join("/"),
  );
  const edges: Edge[] = [];
  const external: { from: string; imp: Import }[] = [];
  const problems: string[] = [];
  const globals: { file: string; name: string; line: number }[] = [];
  for (const file of files) {
    const parsed = parseImports(file, fs.readFileSync(path.join(ROOT, file), "utf8"));
    for (const g of parsed.globals) globals.push({ file, ...g });
    for (const imp of parsed.imports) {
      if (imp.specifier === "<computed>")
        problems.push(`${file}:${imp.line}: import() of a computed specifier cannot be checked; use a string literal.`);
      else if (!imp.specifier.startsWith(".")) external.push({ from: file, imp });
      else {
        const to = resolveRelative(file, imp.specifier);
        if (to) edges.push({ from: file, to, imp });
        else problems.push(`${file}:${imp.line}: "${imp.specifier}" does not resolve to a .ts file.`);
      }
    }
  }
  return { files, edges, external, problems, globals };
}

/** What a file of ours may import of ours; null when it may. */
function violation(from: string, to: string, imp: Pick<Import, "typeOnly" | "dynamic">): string | null {
  const area = from.split("/")[0];
  const target = to.split("/")[0];
  if (area === target && area !== "server") return null;
  switch (area) {
    case "core":
      return "core imports nothing outside core/";
    case "sdk":
      if (target === "core" && imp.typeOnly) return null;
      return target === "core"
        ? "sdk imports core only for types (import type)"
        : "sdk imports nothing of ours but core types";
    case "cli":
      if (target === "core" || target === "sdk") return null;
      if (from === SERVE_COMMAND && imp.dynamic && SERVE_TARGETS.includes(to)) return null;
      if (from === MCP_COMMAND && imp.dynamic && target === "mcp") return null;
      return (
        `cli imports core and sdk only (only ${SERVE_COMMAND} may import() ${SERVE_TARGETS.join(" or ")}, ` +
        `and ${MCP_COMMAND} mcp/)`
      );
    case "mcp":
    case "dashboard":
      return target === "core" || target === "sdk" ? null : `${area} imports core and sdk only`;
    case "server": {
      const inner = SERVER_INNER.find((p) => under(from, p));
      const transport = SERVER_TRANSPORT.find((p) => under(to, p));
      if (inner && transport) return `${inner} never imports the server's transport (${transport})`;
      if (from === MCP_ROUTE && target === "mcp") return null;
      return target === "server" || target === "core" ? null : "server imports server/ and core/ only";
    }
    default:
      return null;
  }
}

describe("the dependency rules", () => {
  const project = loadProject();

  it("finds the source it checks", () => {
    for (const file of [
      "core/names.ts",
      "core/platform-config/index.ts",
      "sdk/index.ts",
      "cli/main.ts",
      "server/services/variables.ts",
    ])
      expect(project.files).toContain(file);
    expect(project.files.some((f) => f.includes("/generated/") || f.startsWith("sdk/dist/"))).toBe(false);
    expect(project.edges.length).toBeGreaterThan(100);
    expect(project.problems).toEqual([]);
  });

  it("every import of ours follows the layer rules", () => {
    const broken = project.edges.flatMap(({ from, to, imp }) => {
      const why = violation(from, to, imp);
      return why ? [`${from}:${imp.line} imports ${to}: ${why}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it("core is platform-neutral: no Node built-ins, no packages but zod and dotenv, no Buffer or process", () => {
    const imports = project.external
      .filter(
        ({ from, imp }) =>
          from.startsWith("core/") && (isBuiltin(imp.specifier) || !CORE_PACKAGES.has(packageOf(imp.specifier))),
      )
      .map(({ from, imp }) => `${from}:${imp.line} imports "${imp.specifier}"`);
    const globals = project.globals
      .filter((g) => g.file.startsWith("core/"))
      .map((g) => `${g.file}:${g.line} uses ${g.name}`);
    expect([...imports, ...globals]).toEqual([]);
  });

  it("has no import circles", () => {
    const graph = new Map<string, string[]>(project.files.map((f) => [f, []]));
    for (const { from, to } of project.edges) graph.get(from)!.push(to);
    expect(findCycles(graph).map((c) => c.join(" → "))).toEqual([]);
  });
});

describe("the checker itself", () => {
  it("findCycles finds every circle of a synthetic graph (self-loops included) and none in a DAG", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c", "d"]],
      ["c", ["a"]],
      ["d", []],
      ["e", ["e"]],
      ["f", ["d", "g"]],
      ["g", ["f"]],
    ]);
    expect(findCycles(graph)).toEqual([
      ["a", "b", "c", "a"],
      ["e", "e"],
      ["f", "g", "f"],
    ]);
    const dag = new Map([
      ["a", ["b", "c"]],
      ["b", ["c"]],
      ["c", []],
    ]);
    expect(findCycles(dag)).toEqual([]);
  });

  it("parseImports sees static, type-only, re-exported and dynamic imports, and global Buffer/process uses", () => {
    const text = [
      'import { a } from "./a.js";',
      'import type { B } from "./b.js";',
      'import { type C, type D } from "./c.js";',
      'import { type E, f } from "./e.js";',
      'export { g } from "./g.js";',
      'export type { H } from "./h.js";',
      'const m = await import("../server/main.js");',
      'type T = import("./t.js").T;',
      '// import { x } from "./comment.js";',
      "const s = \"import { y } from './string.js'\";",
      "const n = Buffer.byteLength(s) + process.pid;",
      "const o = { process: 1 }; o.process; globalThis.Buffer;",
    ].join("\n");
    const { imports, globals } = parseImports("x.ts", text);
    expect(imports.map((i) => [i.specifier, i.typeOnly, i.dynamic])).toEqual([
      ["./a.js", false, false],
      ["./b.js", true, false],
      ["./c.js", true, false],
      ["./e.js", false, false],
      ["./g.js", false, false],
      ["./h.js", true, false],
      ["../server/main.js", false, true],
      ["./t.js", true, false],
    ]);
    expect(globals.map((g) => `${g.name}@${g.line}`)).toEqual(["Buffer@11", "process@11", "Buffer@12"]);
  });

  it("violation() refuses what the rules forbid", () => {
    const value = { typeOnly: false, dynamic: false };
    const type = { typeOnly: true, dynamic: false };
    const dynamic = { typeOnly: false, dynamic: true };
    expect(violation("core/names.ts", "cli/errors.ts", type)).not.toBeNull();
    expect(violation("core/names.ts", "core/sensitive.ts", value)).toBeNull();
    expect(violation("sdk/index.ts", "core/names.ts", value)).not.toBeNull();
    expect(violation("sdk/index.ts", "core/names.ts", type)).toBeNull();
    expect(violation("sdk/index.ts", "server/app.ts", type)).not.toBeNull();
    expect(violation("cli/main.ts", "server/services/errors.ts", type)).not.toBeNull();
    expect(violation("cli/main.ts", "server/main.ts", dynamic)).not.toBeNull();
    expect(violation("cli/commands/serve.run.ts", "server/main.ts", value)).not.toBeNull();
    expect(violation("cli/commands/serve.run.ts", "server/main.ts", dynamic)).toBeNull();
    expect(violation("cli/commands/serve.run.ts", "server/services/index.ts", dynamic)).not.toBeNull();
    expect(violation("server/services/variables.ts", "server/schema/builder.ts", type)).not.toBeNull();
    expect(violation("server/services/variables.ts", "server/http/errors.ts", value)).not.toBeNull();
    expect(violation("server/authz/policy.ts", "server/graphql/context.ts", value)).not.toBeNull();
    expect(violation("server/events/bus.ts", "server/app.ts", value)).not.toBeNull();
    expect(violation("server/schema/variable.ts", "server/services/variables.ts", value)).toBeNull();
    expect(violation("server/services/variables.ts", "cli/errors.ts", value)).not.toBeNull();
    expect(violation("mcp/main.ts", "server/services/index.ts", value)).not.toBeNull();
    expect(violation("mcp/server.ts", "cli/context.ts", value)).not.toBeNull();
    expect(violation("mcp/server.ts", "sdk/index.ts", value)).toBeNull();
    expect(violation("server/http/mcp.ts", "mcp/server.ts", value)).toBeNull();
    expect(violation("server/http/graphql.ts", "mcp/server.ts", value)).not.toBeNull();
    expect(violation("server/services/variables.ts", "mcp/server.ts", value)).not.toBeNull();
    expect(violation("server/http/mcp.ts", "sdk/index.ts", value)).not.toBeNull();
    expect(violation("cli/commands/mcp.run.ts", "mcp/server.ts", dynamic)).toBeNull();
    expect(violation("cli/commands/mcp.run.ts", "mcp/server.ts", value)).not.toBeNull();
    expect(violation("cli/main.ts", "mcp/server.ts", dynamic)).not.toBeNull();
    expect(violation("dashboard/app.tsx", "sdk/index.ts", value)).toBeNull();
  });
});
