/**
 * Project.variableGrid: every key of a project with its cell in each environment the caller may
 * read (the dashboard's grid), paginated by key. A page costs a constant number of statements
 * whatever the number of keys, environments or overrides: the environments, one GROUP BY for the
 * page's keys, one read of those keys' variables (with their override counts) and the caller's
 * access (batched per request). Values go through readValue: secrets come back without one.
 */
import { can, environmentScope } from "../authz/index.js";
import { builder } from "./builder.js";
import { type ConnectionShape, connectionType, cursorOf, type Keyset, pageArgs, pageOf } from "./connection.js";
import { PREVIEW_DESCRIPTION, readPreview, readValue } from "./values.js";

interface GridEnvironment {
  id: string;
  name: string;
}

interface GridVariable {
  id: string;
  key: string;
  isSecret: boolean;
  environmentId: string;
  valueVersion: number;
  ciphertext: Uint8Array;
  _count: { overrides: number };
}

interface GridCell {
  projectId: string;
  environment: GridEnvironment;
  variable: GridVariable;
}

interface GridRow {
  key: string;
  cells: GridCell[];
}

const gridByKey: Keyset = { list: "variableGrid", fields: [["key", "string"]], direction: "asc" };

const VariableGridCell = builder.objectRef<GridCell>("VariableGridCell").implement({
  description: "A key's base value in one environment.",
  fields: (t) => ({
    environment: t.string({ description: "The environment's name.", resolve: (c) => c.environment.name }),
    isSecret: t.boolean({ resolve: (c) => c.variable.isSecret }),
    value: t.string({
      nullable: true,
      description: "The value; null for secrets.",
      resolve: (c, _a, ctx) => {
        const { variable, environment, projectId } = c;
        return readValue(ctx.services.values, {
          id: variable.id,
          variable: { ...variable, environment: { projectId, name: environment.name } },
          branchId: null,
          valueVersion: variable.valueVersion,
          ciphertext: variable.ciphertext,
        });
      },
    }),
    preview: t.string({
      nullable: true,
      description: `${PREVIEW_DESCRIPTION} The grid shows it; the full value is read with Environment.variable.`,
      resolve: (c, _a, ctx) => {
        const { variable, environment, projectId } = c;
        return readPreview(ctx.services.values, {
          id: variable.id,
          variable: { ...variable, environment: { projectId, name: environment.name } },
          branchId: null,
          valueVersion: variable.valueVersion,
          ciphertext: variable.ciphertext,
        });
      },
    }),
    overrideCount: t.int({
      description: "Branch overrides of this value.",
      resolve: (c) => c.variable._count.overrides,
    }),
  }),
});

const VariableGridRow = builder.objectRef<GridRow>("VariableGridRow").implement({
  description: "One key of a project and its cells.",
  fields: (t) => ({
    key: t.exposeString("key"),
    cells: t.field({
      type: [VariableGridCell],
      description:
        "The key's value in each environment the caller may read that has it, in the order of Project.environments. " +
        "An environment without the key has no cell.",
      resolve: (r) => r.cells,
    }),
  }),
});

const VariableGridConnection = connectionType(
  "VariableGridRow",
  VariableGridRow,
  "Keys of a project across its environments, by key.",
);

const empty = (): ConnectionShape<GridRow> => ({
  nodes: [],
  hasNextPage: false,
  cursor: (row) => cursorOf(gridByKey, { key: row.key }),
  totalCount: () => 0,
});

builder.prismaObjectField("Project", "variableGrid", (t) =>
  t.field({
    type: VariableGridConnection,
    description:
      "Every key of the project with its base value in each environment the caller may read (secrets without " +
      "value), paginated by key: a page costs the same few statements whatever the number of keys, environments " +
      "and overrides.",
    args: pageArgs(t.arg),
    select: { id: true },
    resolve: async (project, args, ctx) => {
      const page = pageOf(gridByKey, args);
      const access = await ctx.loaders.access.load(project.id);
      if (!access) return empty();
      const environments = await ctx.db.reader.environment.findMany({
        where: { projectId: project.id, ...environmentScope(ctx.actor) },
        select: { id: true, name: true, isProtected: true },
        orderBy: [{ isDefault: "desc" }, { name: "asc" }],
      });
      const readable = environments.filter((env) => can(access, "variable:read-value", env));
      if (!readable.length) return empty();
      const inReadable = { environmentId: { in: readable.map((env) => env.id) } };
      // Every key of the whole list, whichever page this is (first: 0 included).
      const totalCount = async () =>
        (await ctx.db.reader.variable.groupBy({ by: ["key"], where: inReadable, orderBy: { key: "asc" } })).length;
      const keys = await ctx.db.reader.variable.groupBy({
        by: ["key"],
        where: { ...inReadable, ...page.where },
        orderBy: { key: "asc" },
        take: page.first + 1,
      });
      const pageKeys = keys.slice(0, page.first).map((k) => k.key);
      if (!pageKeys.length) return { ...empty(), hasNextPage: keys.length > page.first, totalCount };
      // The page's keys are consecutive: every variable between the first and the last belongs to the page.
      const variables: GridVariable[] = await ctx.db.reader.variable.findMany({
        where: { ...inReadable, key: { gte: pageKeys[0], lte: pageKeys[pageKeys.length - 1] } },
        select: {
          id: true,
          key: true,
          isSecret: true,
          environmentId: true,
          valueVersion: true,
          ciphertext: true,
          _count: { select: { overrides: true } },
        },
      });
      const rows = new Map<string, GridRow>(pageKeys.map((key) => [key, { key, cells: [] }]));
      const position = new Map(readable.map((env, i) => [env.id, i]));
      const sorted = variables.sort(
        (a, b) => (position.get(a.environmentId) ?? 0) - (position.get(b.environmentId) ?? 0),
      );
      const byId = new Map(readable.map((env) => [env.id, env]));
      for (const variable of sorted) {
        const environment = byId.get(variable.environmentId);
        const row = rows.get(variable.key);
        if (environment && row) row.cells.push({ projectId: project.id, environment, variable });
      }
      return {
        nodes: [...rows.values()],
        hasNextPage: keys.length > page.first,
        cursor: (row) => cursorOf(gridByKey, { key: row.key }),
        totalCount,
      };
    },
  }),
);
