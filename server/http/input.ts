/**
 * Input checks made once per request, on the arguments, before any resolver runs:
 * no NUL character in any string argument or input field except variable values (`value`
 * fields, which are encrypted and may hold any bytes), and at most MAX_BULK_ITEMS items in
 * any list. A failure is a validation error naming the argument path; nothing runs.
 *
 * The arguments are walked as written (literals in the document, raw variable values where a
 * variable is used), not coerced: the executor coerces the variables anyway, and a second
 * coercion here cost a 1,000-value push ~4 ms. Coercion only wraps a single item into a list
 * (walked here as item 0) and adds schema defaults; a value it rejects is reported by execution.
 */
import type {
  DefinitionNode,
  DocumentNode,
  GraphQLCompositeType,
  GraphQLInputType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
  VariableDefinitionNode,
} from "graphql";
import { createGraphQLError, type Plugin } from "graphql-yoga";
import { MAX_BULK_ITEMS } from "../../core/limits.js";
import { graphql } from "./graphql.js";

const {
  Kind,
  getNamedType,
  isCompositeType,
  getNullableType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
} = graphql;

/** Input fields that hold variable values: any bytes are allowed there. */
const OPAQUE_FIELDS = new Set(["value"]);

const tooMany = (path: string, count: number) =>
  `${path} has ${count} items; one request may carry at most ${MAX_BULK_ITEMS}. Split it into several requests.`;
const nulIn = (path: string, value: unknown) =>
  typeof value === "string" && value.includes("\0")
    ? `${path} contains a NUL character (U+0000); NUL characters are not allowed in names and lookups. Remove it.`
    : null;

/** The first problem in a variable's value (as sent) at an argument position of type `type`. */
function problemIn(value: unknown, type: GraphQLInputType, path: string): string | null {
  if (value === null || value === undefined) return null;
  const t = getNullableType(type) as GraphQLInputType;
  if (isListType(t)) {
    if (!Array.isArray(value)) return problemIn(value, t.ofType, `${path}.0`);
    if (value.length > MAX_BULK_ITEMS) return tooMany(path, value.length);
    for (let i = 0; i < value.length; i++) {
      const problem = problemIn(value[i], t.ofType, `${path}.${i}`);
      if (problem) return problem;
    }
    return null;
  }
  if (isInputObjectType(t)) {
    if (typeof value !== "object") return null;
    const fields = t.getFields();
    for (const name in value) {
      if (OPAQUE_FIELDS.has(name) || !Object.hasOwn(fields, name) || !Object.hasOwn(value, name)) continue;
      const problem = problemIn((value as Record<string, unknown>)[name], fields[name].type, `${path}.${name}`);
      if (problem) return problem;
    }
    return null;
  }
  return nulIn(path, value);
}

/** The first problem in an argument as written in the document: literals, and the variables it uses. */
function problemInNode(
  node: ValueNode,
  type: GraphQLInputType,
  path: string,
  variables: { raw: Record<string, unknown>; definitions: Map<string, VariableDefinitionNode> },
): string | null {
  if (node.kind === Kind.VARIABLE) {
    const name = node.name.value;
    if (Object.hasOwn(variables.raw, name)) return problemIn(variables.raw[name], type, path);
    const fallback = variables.definitions.get(name)?.defaultValue;
    return fallback ? problemInNode(fallback, type, path, variables) : null;
  }
  if (node.kind === Kind.NULL) return null;
  const t = getNullableType(type) as GraphQLInputType;
  if (isListType(t)) {
    if (node.kind !== Kind.LIST) return problemInNode(node, t.ofType, `${path}.0`, variables);
    if (node.values.length > MAX_BULK_ITEMS) return tooMany(path, node.values.length);
    for (let i = 0; i < node.values.length; i++) {
      const problem = problemInNode(node.values[i], t.ofType, `${path}.${i}`, variables);
      if (problem) return problem;
    }
    return null;
  }
  if (isInputObjectType(t)) {
    if (node.kind !== Kind.OBJECT) return null;
    const fields = t.getFields();
    for (const field of node.fields) {
      const name = field.name.value;
      if (OPAQUE_FIELDS.has(name) || !Object.hasOwn(fields, name)) continue;
      const problem = problemInNode(field.value, fields[name].type, `${path}.${name}`, variables);
      if (problem) return problem;
    }
    return null;
  }
  return node.kind === Kind.STRING ? nulIn(path, node.value) : null;
}

/** The first problem with the arguments of `operation`, or null. */
export function inputProblem(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rawVariables: Record<string, unknown>,
): string | null {
  const definitions = new Map((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d]));
  const variables = { raw: rawVariables, definitions };
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
        for (const argument of selection.arguments ?? []) {
          const arg = def.args.find((a) => a.name === argument.name.value);
          if (!arg) continue; // validation reports it
          const problem = problemInNode(argument.value, arg.type, arg.name, variables);
          if (problem) return problem;
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
