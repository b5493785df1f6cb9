/**
 * Input checks made once per request, on the coerced arguments, before any resolver runs:
 * no NUL character in any string argument or input field except variable values (`value`
 * fields, which are encrypted and may hold any bytes), and at most MAX_BULK_ITEMS items in
 * any list. A failure is a validation error naming the argument path; nothing runs.
 */
import type {
  DefinitionNode,
  DocumentNode,
  GraphQLCompositeType,
  GraphQLInputType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from "graphql";
import { createGraphQLError, type Plugin } from "graphql-yoga";
import { MAX_BULK_ITEMS } from "../../core/limits.js";
import { graphql } from "./graphql.js";

const {
  Kind,
  getArgumentValues,
  getNamedType,
  isCompositeType,
  getNullableType,
  getVariableValues,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
} = graphql;

/** Input fields that hold variable values: any bytes are allowed there. */
const OPAQUE_FIELDS = new Set(["value"]);

function problemIn(value: unknown, type: GraphQLInputType, path: string): string | null {
  if (value === null || value === undefined) return null;
  const t = getNullableType(type) as GraphQLInputType;
  if (isListType(t)) {
    const items = value as unknown[];
    if (items.length > MAX_BULK_ITEMS)
      return `${path} has ${items.length} items; one request may carry at most ${MAX_BULK_ITEMS}. Split it into several requests.`;
    for (let i = 0; i < items.length; i++) {
      const problem = problemIn(items[i], t.ofType, `${path}.${i}`);
      if (problem) return problem;
    }
    return null;
  }
  if (isInputObjectType(t)) {
    const fields = t.getFields();
    for (const [name, field] of Object.entries(value as Record<string, unknown>)) {
      if (OPAQUE_FIELDS.has(name) || !fields[name]) continue;
      const problem = problemIn(field, fields[name].type, `${path}.${name}`);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof value === "string" && value.includes("\0"))
    return `${path} contains a NUL character (U+0000); NUL characters are not allowed in names and lookups. Remove it.`;
  return null;
}

/** The first problem with the arguments of `operation`, or null. */
export function inputProblem(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rawVariables: Record<string, unknown>,
): string | null {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables, { maxErrors: 1 });
  if (coerced.errors) return null; // execution reports them
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType): string | null => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const def =
          isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
        if (!def) continue;
        if (def.args.length) {
          let args: Record<string, unknown>;
          try {
            args = getArgumentValues(def, selection, coerced.coerced);
          } catch {
            continue; // execution reports it
          }
          for (const arg of def.args) {
            const problem = problemIn(args[arg.name], arg.type, arg.name);
            if (problem) return problem;
          }
        }
        const named = getNamedType(def.type);
        if (selection.selectionSet && isCompositeType(named)) {
          const problem = walk(selection.selectionSet, named);
          if (problem) return problem;
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        const problem = on && isCompositeType(on) ? walk(selection.selectionSet, on) : null;
        if (problem) return problem;
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        seen.add(fragment.name.value);
        const on = schema.getType(fragment.typeCondition.name.value);
        const problem = on && isCompositeType(on) ? walk(fragment.selectionSet, on) : null;
        if (problem) return problem;
      }
    }
    return null;
  };
  const root = schema.getRootType(operation.operation);
  return root ? walk(operation.selectionSet, root) : null;
}

export function inputChecks(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const operation = args.document.definitions.find(
        (d: DefinitionNode): d is OperationDefinitionNode =>
          d.kind === Kind.OPERATION_DEFINITION && (!args.operationName || d.name?.value === args.operationName),
      );
      if (!operation) return;
      const problem = inputProblem(
        args.schema,
        args.document,
        operation,
        (args.variableValues ?? {}) as Record<string, unknown>,
      );
      if (problem)
        setResultAndStopExecution({
          errors: [createGraphQLError(problem, { extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } })],
        });
    },
  };
}
