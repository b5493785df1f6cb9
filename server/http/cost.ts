/**
 * List-aware query cost, checked before execution. Each field costs 1, times the number of
 * items of every list it is under: a paginated list (a field with a `first` argument)
 * counts `first` items (a literal or a variable's value, else the default page), its `edges`/`nodes` list below it
 * no more; any other list of objects counts UNPAGED_LIST_SIZE. Fragments and inline
 * fragments are expanded (each named fragment computed once; a cycle counts nothing, and
 * NoFragmentCyclesRule reports it).
 */
import type {
  ASTVisitor,
  DocumentNode,
  FieldNode,
  GraphQLCompositeType,
  GraphQLSchema,
  SelectionSetNode,
  ValidationContext,
  ValidationRule,
} from "graphql";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, UNPAGED_LIST_SIZE } from "../../core/limits.js";
import { graphql } from "./graphql.js";

const {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
} = graphql;

type Variables = Record<string, unknown> | null | undefined;

/** The page a paginated field asks for: `first` as a literal or a variable's value, else the server's default. */
function pageSize(node: FieldNode, variables: Variables): number {
  const first = node.arguments?.find((a) => a.name.value === "first")?.value;
  let value: unknown = DEFAULT_PAGE_SIZE;
  if (first?.kind === Kind.INT) value = Number(first.value);
  else if (first?.kind === Kind.VARIABLE) value = variables?.[first.name.value] ?? DEFAULT_PAGE_SIZE;
  // Anything else is refused when the arguments are checked; count it as the largest page meanwhile.
  return typeof value === "number" && Number.isFinite(value)
    ? Math.max(0, Math.min(value, MAX_PAGE_SIZE))
    : MAX_PAGE_SIZE;
}

export function queryCost(
  context: ValidationContext,
  selectionSet: SelectionSetNode,
  type: GraphQLCompositeType,
  variables?: Variables,
): number {
  const schema: GraphQLSchema = context.getSchema();
  const fragments = new Map<string, number>(); // fragment:paged → cost
  const visiting = new Set<string>();

  /** `paged`: the nearest list above was paginated and its page is not yet counted by a list field. */
  const costOf = (set: SelectionSetNode, parent: GraphQLCompositeType, paged: boolean): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        total += 1;
        if (!selection.selectionSet) continue;
        const def =
          isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
        if (!def) continue;
        const named = getNamedType(def.type);
        if (!isCompositeType(named)) continue;
        const list = isListType(getNullableType(def.type));
        const paginated = def.args.some((a) => a.name === "first");
        let factor = 1;
        let childPaged = false;
        if (paginated) {
          factor = pageSize(selection, variables);
          childPaged = !list; // a connection: its edges/nodes list is this page
        } else if (list) {
          factor = paged ? 1 : UNPAGED_LIST_SIZE;
        } else {
          childPaged = paged;
        }
        total += factor * costOf(selection.selectionSet, named, childPaged);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (on && isCompositeType(on)) total += costOf(selection.selectionSet, on, paged);
      } else {
        const name = selection.name.value;
        const memo = `${name}:${paged}`;
        if (fragments.has(memo)) {
          total += fragments.get(memo)!;
          continue;
        }
        const fragment = context.getFragment(name);
        if (!fragment || visiting.has(name)) continue;
        const on = schema.getType(fragment.typeCondition.name.value);
        if (!on || !isCompositeType(on)) continue;
        visiting.add(name);
        const cost = costOf(fragment.selectionSet, on, paged);
        visiting.delete(name);
        fragments.set(memo, cost);
        total += cost;
      }
    }
    return total;
  };
  return costOf(selectionSet, type, false);
}

/** The variables a document passes as `first` (its cost depends on their values), per parsed document. */
const pageVariables = new WeakMap<DocumentNode, string[]>();

function pageVariablesOf(document: DocumentNode): string[] {
  let names = pageVariables.get(document);
  if (!names) {
    const found = new Set<string>();
    graphql.visit(document, {
      Argument(node) {
        if (node.name.value === "first" && node.value.kind === Kind.VARIABLE) found.add(node.value.name.value);
      },
    });
    names = [...found];
    pageVariables.set(document, names);
  }
  return names;
}

/**
 * `variables`: the request's variable values, so `first: $first` counts the page asked for. With `document`, the
 * rule's name carries the values of the variables it counts as pages: yoga caches a document's validation result
 * per rule names, so a result is reused only for the same pages (a small page never lets a large one through, and
 * a refused large page never refuses a small one), and fully for a document without page variables.
 */
export function costLimitRule(maxCost: number, variables?: Variables, document?: DocumentNode): ValidationRule {
  const rule = (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const root = context.getSchema().getRootType(operation.operation);
      if (!root) return;
      const cost = queryCost(context, operation.selectionSet, root, variables);
      if (cost > maxCost)
        context.reportError(
          new GraphQLError(
            `Query cost limit of ${maxCost} exceeded (cost ${cost}): each field counts once per item of the lists above it ` +
              `(first, or ${DEFAULT_PAGE_SIZE} when not given, for paginated lists). ` +
              `Ask for fewer fields or smaller pages, or split the query.`,
            { nodes: [operation] },
          ),
        );
    },
  });
  const pages = document ? pageVariablesOf(document).map((name) => JSON.stringify(variables?.[name] ?? null)) : [];
  Object.defineProperty(rule, "name", { value: `costLimit(${pages.join(",")})` });
  return rule;
}
