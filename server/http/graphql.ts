/**
 * graphql-js as the schema, yoga and the validation rules use it: its CommonJS build. An
 * ESM `import` would load a second copy under vitest, whose instanceof checks reject the
 * schema's types ("Cannot use GraphQLObjectType from another module or realm").
 */
import { createRequire } from "node:module";
import type * as GraphQL from "graphql";

export const graphql = createRequire(import.meta.url)("graphql") as typeof GraphQL;
