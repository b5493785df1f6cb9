// Run: ENVPLANE_URL=http://127.0.0.1:4000/graphql ENVPLANE_TOKEN=envp_pat_… npx tsx sdk/example.ts
import { createClient } from "./index.js";

const envplane = createClient({
  url: process.env.ENVPLANE_URL ?? "http://127.0.0.1:4000/graphql",
  token: process.env.ENVPLANE_TOKEN,
});
const project = process.env.ENVPLANE_PROJECT ?? "example";

// Results are unions: switch on __typename (errors share the `message` field).
const created = (await envplane.createProject({ input: { slug: project } })).createProject;
if (created.__typename !== "ProjectPayload" && created.__typename !== "ConflictError") throw new Error(created.message);

const pushed = (
  await envplane.bulkUpsertVariables({
    input: {
      project,
      environment: "development",
      variables: [
        { key: "DATABASE_URL", value: "postgres://localhost:5432/app" },
        { key: "STRIPE_KEY", value: "sk_test_123", secret: true },
      ],
    },
  })
).bulkUpsertVariables;
if (pushed.__typename !== "BulkUpsertVariablesPayload") throw new Error(pushed.message);
console.log(`revision ${pushed.revision}: added ${pushed.added.join(", ") || "nothing"}`);

const pulled = (await envplane.pullVariables({ project, environment: "development" })).pullVariables;
if (pulled.__typename !== "PulledEnvironment") throw new Error(pulled.message);
for (const { key, value } of pulled.variables) console.log(`${key}=${value}`);
console.log(`# secrets excluded: ${pulled.excludedSecrets.join(", ")}`);
