/** Narrowing helpers that fail with the whole result when a GraphQL union is not what the test expects. */
type Typed = { __typename: string };

export function expectType<T extends Typed, N extends T["__typename"]>(
  result: T,
  typename: N,
): Extract<T, { __typename: N }> {
  if (result.__typename !== typename)
    throw new Error(`Expected ${typename}, got ${result.__typename}:\n${JSON.stringify(result, null, 2)}`);
  return result as Extract<T, { __typename: N }>;
}
