/** request_secret and get_secret_request: a person types the value in the dashboard; the agent never sees it. */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { EnvplaneClient, SecretRequestFieldsFragment } from "../../sdk/index.js";
import { expectPayload, guarded, ok, ToolFailure } from "../result.js";
import { branchArg, environmentArg, projectArg } from "./common.js";

const STATUSES = ["pending", "fulfilled", "expired", "cancelled"] as const;

const requestShape = {
  id: z.string(),
  status: z.enum(STATUSES),
  project: z.string(),
  environment: z.string(),
  branch: z.string().nullable(),
  key: z.string(),
  note: z.string().nullable(),
  url: z.string().describe("The single-use link for a person (never for you to open)."),
  requestedBy: z.string(),
  expiresAt: z.string(),
  fulfilledAt: z.string().nullable(),
  fulfilledBy: z.string().nullable(),
  replacesStandardValue: z.boolean().describe("The key is a standard value now; fulfilling makes it a secret."),
};

function describeRequest(r: SecretRequestFieldsFragment) {
  return {
    id: r.id,
    status: r.status.toLowerCase() as (typeof STATUSES)[number],
    project: r.project,
    environment: r.environment,
    branch: r.branch ?? null,
    key: r.key,
    note: r.note ?? null,
    url: r.url,
    requestedBy: r.requestedBy,
    expiresAt: r.expiresAt,
    fulfilledAt: r.fulfilledAt ?? null,
    fulfilledBy: r.fulfilledBy ?? null,
    replacesStandardValue: r.replacesStandardValue,
  };
}

const NEXT: Record<(typeof STATUSES)[number], string> = {
  pending: "Waiting for a person to open the link and enter the value. Ask again later.",
  fulfilled: "The secret is stored. Redeploy for running deployments to see it (see get_env_status).",
  expired: "The link expired unused. Call request_secret again for a new link.",
  cancelled: "The request was cancelled. Call request_secret again if the secret is still needed.",
};

export function registerSecretTools(server: McpServer, client: EnvplaneClient): void {
  server.registerTool(
    "request_secret",
    {
      title: "Ask a person for a secret value",
      description:
        "The only way to get a secret (API key, password, token, private key…) into envplane. Creates a single-use " +
        "link: give it to a person, who signs in to the dashboard and types the value there; it is stored as a " +
        "secret without passing through you. Poll get_secret_request with the returned id to know when it is " +
        "fulfilled. With branch, the value becomes that project branch's override. The link alone grants nothing: " +
        "the person must be allowed to write the environment. Redeploy after it is fulfilled.",
      inputSchema: {
        project: projectArg,
        environment: environmentArg,
        key: z.string().min(1).describe("The variable's name, e.g. STRIPE_SECRET_KEY."),
        branch: branchArg.optional(),
        note: z
          .string()
          .optional()
          .describe("Shown to the person: what the value is and where to find it. Never put a value here."),
      },
      outputSchema: requestShape,
    },
    ({ project, environment, key, branch, note }) =>
      guarded(async () => {
        const r = expectPayload(
          (await client.CreateSecretRequest({ input: { project, environment, key, branch, note } }))
            .createSecretRequest,
          "CreateSecretRequestPayload",
        );
        const request = describeRequest(r.request);
        return ok(
          { ...request, url: r.url },
          `Give this link to a person who may write ${request.project}/${request.environment}: ${r.url} ` +
            `(it works once, until ${request.expiresAt}). Then call get_secret_request with id "${request.id}".`,
        );
      }),
  );

  server.registerTool(
    "get_secret_request",
    {
      title: "Status of a secret request",
      description: "The status of a request_secret link: pending, fulfilled, expired or cancelled. Never the value.",
      inputSchema: { id: z.string().min(1).describe("The id request_secret returned.") },
      outputSchema: requestShape,
      annotations: { readOnlyHint: true },
    },
    ({ id }) =>
      guarded(async () => {
        const { secretRequest } = await client.SecretRequest({ id });
        if (!secretRequest)
          throw new ToolFailure(
            `No secret request "${id}", or this token may not see it. Use the id request_secret returned.`,
          );
        const request = describeRequest(secretRequest);
        return ok(
          request,
          `Secret request for ${request.key} in ${request.project}/${request.environment}: ${request.status}. ${NEXT[request.status]}`,
        );
      }),
  );
}
