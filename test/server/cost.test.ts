/**
 * The list-aware cost rule on a schema with cursor connections (the shape lists are moving
 * to): a field costs 1 times the page sizes above it; fragments are expanded; fragment cycles
 * and fragment bombs cannot hang or crash it.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, UNPAGED_LIST_SIZE } from "../../core/limits.js";
import { costLimitRule } from "../../server/http/cost.js";
import { graphql } from "../../server/http/graphql.js";

const schema = graphql.buildSchema(`
  type Query { project(slug: String!): Project, projects: [Project!]! }
  type Project { slug: String!, environments: [Environment!]!, variables(first: Int, after: String): VariableConnection! }
  type Environment { name: String!, variables(first: Int): [Variable!]! }
  type VariableConnection { edges: [VariableEdge!]!, nodes: [Variable!]!, pageInfo: PageInfo! }
  type VariableEdge { cursor: String!, node: Variable! }
  type PageInfo { hasNextPage: Boolean! }
  type Variable { key: String!, value: String }
`);

/** The cost the rule computes (it reports it when over a limit of 0). */
function cost(query: string, variables?: Record<string, unknown>): number {
  const errors = graphql.validate(schema, graphql.parse(query), [costLimitRule(0, variables)]);
  const match = errors.map((e) => /\(cost (\d+)\)/.exec(e.message)).find(Boolean);
  return match ? Number(match[1]) : 0;
}

describe("query cost", () => {
  it("multiplies a connection's fields by first, and its edges/nodes list counts no second time", () => {
    expect(cost(`{ project(slug: "p") { variables(first: 10) { nodes { key value } } } }`)).toBe(1 + 1 + 10 * (1 + 2));
    expect(cost(`{ project(slug: "p") { variables(first: 10) { edges { node { key } } } } }`)).toBe(
      1 + 1 + 10 * (1 + 1 + 1),
    );
  });

  it("counts the page asked for: a literal or a variable's value, the default page when missing, clamped to the maximum", () => {
    const page = (n: number) => 1 + 1 + n * (1 + 1);
    expect(cost(`{ project(slug: "p") { variables { nodes { key } } } }`)).toBe(page(DEFAULT_PAGE_SIZE));
    const byVariable = `query($n: Int) { project(slug: "p") { variables(first: $n) { nodes { key } } } }`;
    expect(cost(byVariable, { n: 20 })).toBe(page(20));
    expect(cost(byVariable, {})).toBe(page(DEFAULT_PAGE_SIZE));
    expect(cost(byVariable, { n: 100000 })).toBe(page(MAX_PAGE_SIZE));
    expect(cost(byVariable, { n: "lots" })).toBe(page(MAX_PAGE_SIZE));
    expect(cost(`{ project(slug: "p") { variables(first: 100000) { nodes { key } } } }`)).toBe(page(MAX_PAGE_SIZE));
  });

  it("multiplies nested lists: five aliases of a 500-item page under every project cost what they fetch", () => {
    const alias = (i: number) => `a${i}: variables(first: 500) { nodes { key value } }`;
    const query = `{ projects { ${[1, 2, 3, 4, 5].map(alias).join(" ")} } }`;
    expect(cost(query)).toBe(1 + UNPAGED_LIST_SIZE * 5 * (1 + 500 * 3));
    expect(cost(`{ projects { environments { variables(first: 500) { key } } } }`)).toBe(
      1 + UNPAGED_LIST_SIZE * (1 + UNPAGED_LIST_SIZE * (1 + 500)),
    );
  });

  it("expands named and inline fragments", () => {
    const direct = cost(`{ project(slug: "p") { variables(first: 20) { nodes { key value } } } }`);
    expect(
      cost(
        `{ project(slug: "p") { ...P } } fragment P on Project { variables(first: 20) { ...C } } fragment C on VariableConnection { nodes { ... on Variable { key value } } }`,
      ),
    ).toBe(direct);
  });

  it("survives a fragment cycle (reported by graphql's own rule) and a fragment bomb, quickly", () => {
    const cyclic = graphql.validate(
      schema,
      graphql.parse(`{ project(slug: "p") { ...A } } fragment A on Project { ...B } fragment B on Project { ...A }`),
      [...graphql.specifiedRules, costLimitRule(1000)],
    );
    expect(cyclic.map((e) => e.message).join("\n")).toMatch(/Cannot spread fragment "A" within itself/);
    // F0 spreads nothing; each next fragment spreads the previous one twice: 2^30 expansions unless memoised.
    const levels = 30;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === 0 ? `fragment F0 on Variable { key }` : `fragment F${i} on Variable { a: key ...F${i - 1} ...F${i - 1} }`,
    ).join("\n");
    const started = performance.now();
    const bomb = cost(`{ project(slug: "p") { variables(first: 1) { nodes { ...F${levels - 1} } } } } ${fragments}`);
    expect(bomb).toBeGreaterThan(2 ** 29);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
