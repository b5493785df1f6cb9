/**
 * The one write path (server/events): every mutation of the GraphQL schema, sent through the
 * real app, appends exactly one Event row in its transaction, with the right action, actor,
 * ids and keys, and never a value. A write that fails or changes nothing appends none.
 * The table below is checked against the schema's Mutation fields: a new mutation without a
 * case here fails this file.
 */
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createClient, type EnvplaneClient } from "../../sdk/index.js";
import { schema } from "../../server/graphql/index.js";
import { expectType } from "../support/expect.js";
import {
  createEnvironment,
  createProject,
  newUser,
  serviceToken,
  setVariable,
  useTestServer,
} from "../support/fixtures.js";
import { type Row, withRawDb } from "../support/raw-db.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
let sdk: EnvplaneClient;
useTestServer((started) => ([server, sdk] = [started, started.owner]));

const canary = `canary-${randomBytes(12).toString("hex")}`;
let n = 0;
/** A fresh value that contains the canary: none may ever reach the Event table. */
const value = () => `${canary}-${++n}`;
const slug = () => `ev-${randomBytes(4).toString("hex")}`;

interface EventRow {
  id: string;
  action: string;
  actorType: string;
  actorUserId: string | null;
  tokenId: string | null;
  projectId: string | null;
  environmentId: string | null;
  branchId: string | null;
  revision: number | null;
  keys: string[];
  metadata: Record<string, unknown>;
}

async function allEvents(): Promise<(EventRow & { raw: Row })[]> {
  return withRawDb(server.database, async (q) =>
    (await q(`SELECT * FROM "Event" ORDER BY "createdAt", "id"`)).map((r) => ({
      ...(r as unknown as EventRow),
      revision: r.revision === null ? null : Number(r.revision),
      keys: JSON.parse(String(r.keys)),
      metadata: JSON.parse(String(r.metadata)),
      raw: r,
    })),
  );
}

/** The events `fn` appended. */
async function eventsOf(fn: () => Promise<unknown>): Promise<EventRow[]> {
  const before = new Set((await allEvents()).map((e) => e.id));
  await fn();
  return (await allEvents()).filter((e) => !before.has(e.id)).map(({ raw: _raw, ...e }) => e);
}

/** Fails unless a mutation's result is its payload (not one of the error types). */
function ok<T extends { __typename: string }>(result: T): T {
  if (result.__typename.endsWith("Error")) throw new Error(`Expected a payload:\n${JSON.stringify(result, null, 2)}`);
  return result;
}

async function ids(project: string) {
  const p = (await sdk.project({ slug: project })).project!;
  return {
    project: p.id,
    env: Object.fromEntries(p.environments.map((e) => [e.name, e.id])) as Record<string, string>,
    branch: Object.fromEntries(p.branches.map((b) => [b.name, b.id])) as Record<string, string>,
  };
}

async function revision(project: string, environment: string) {
  return (await sdk.project({ slug: project })).project!.environments.find((e) => e.name === environment)!.revision;
}

let owner: { userId: string; tokenId: string };
beforeAll(async () => {
  const viewer = (await sdk.viewer()).viewer;
  owner = { userId: viewer.user!.id, tokenId: viewer.token.id };
});

/** One case per mutation: prepares what it needs, then `run` is the one write measured. */
type Case = () => Promise<{ run: () => Promise<unknown>; expected: Partial<EventRow> }>;

/** Signs the owner in to the dashboard (POST /auth/session, in-process); returns the new session's id. */
async function ownerSession(): Promise<string> {
  const origin = new URL(server.url).origin;
  const response = await server.app.fetch(`${origin}/auth/session`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-envplane-client": "test", origin },
    body: JSON.stringify({ token: server.ownerToken }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return (await sdk.sessions({ first: 1 })).viewer.sessions.nodes[0].id;
}

const cases: Record<string, Case> = {
  async createSignInLink() {
    return {
      run: async () => ok((await sdk.createSignInLink()).createSignInLink),
      expected: { action: "sign_in_link.create", projectId: null },
    };
  },
  async revokeSession() {
    const id = await ownerSession();
    return {
      run: async () => ok((await sdk.revokeSession({ input: { id } })).revokeSession),
      expected: { action: "session.revoke", projectId: null, metadata: { session: id } },
    };
  },
  async revokeOtherSessions() {
    await ownerSession();
    await ownerSession();
    const count = (await sdk.sessions({})).viewer.sessions.totalCount;
    return {
      run: async () => ok((await sdk.revokeOtherSessions()).revokeOtherSessions),
      expected: { action: "session.revoke_others", projectId: null, metadata: { count } },
    };
  },
  async createProject() {
    const s = slug();
    return {
      run: async () => ok((await sdk.createProject({ input: { slug: s } })).createProject),
      expected: { action: "project.create", metadata: { slug: s, name: s } },
    };
  },
  async deleteProject() {
    const s = slug();
    await createProject(sdk, s);
    const { project } = await ids(s);
    return {
      run: async () => ok((await sdk.deleteProject({ input: { slug: s } })).deleteProject),
      expected: { action: "project.delete", projectId: project },
    };
  },
  async rotateProjectKey() {
    const s = slug();
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "development", key: "A", value: value() });
    const { project } = await ids(s);
    return {
      run: async () => ok((await sdk.rotateProjectKey({ input: { project: s } })).rotateProjectKey),
      expected: { action: "project.key_rotate", projectId: project, metadata: { keyVersion: 2 } },
    };
  },
  async createEnvironment() {
    const s = slug();
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "preview", key: "FROM_PREVIEW", value: value() });
    await setVariable(sdk, { project: s, environment: "preview", key: "SECRET_ONE", value: value(), secret: true });
    const { project } = await ids(s);
    return {
      run: async () =>
        ok(
          (await sdk.createEnvironment({ input: { project: s, name: "staging", from: "preview" } })).createEnvironment,
        ),
      expected: { action: "environment.create", projectId: project, revision: 1, keys: ["FROM_PREVIEW", "SECRET_ONE"] },
    };
  },
  async deleteEnvironment() {
    const s = slug();
    await createProject(sdk, s);
    await createEnvironment(sdk, s, "staging");
    const { project, env } = await ids(s);
    return {
      run: async () => ok((await sdk.deleteEnvironment({ input: { project: s, name: "staging" } })).deleteEnvironment),
      expected: {
        action: "environment.delete",
        projectId: project,
        environmentId: env.staging,
        metadata: { name: "staging", unmappedBranches: [] },
      },
    };
  },
  async updateEnvironment() {
    const s = slug();
    await createProject(sdk, s);
    const { project, env } = await ids(s);
    return {
      run: async () =>
        ok(
          (await sdk.updateEnvironment({ input: { project: s, name: "preview", isProtected: true } }))
            .updateEnvironment,
        ),
      expected: {
        action: "environment.update",
        projectId: project,
        environmentId: env.preview,
        revision: 1,
        metadata: { name: "preview", isProtected: true },
      },
    };
  },
  async seedEnvironment() {
    const s = slug();
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "development", key: "A", value: value() });
    await setVariable(sdk, { project: s, environment: "development", key: "B", value: value() });
    const { project, env } = await ids(s);
    return {
      run: async () =>
        ok(
          (await sdk.seedEnvironment({ input: { project: s, target: "preview", from: "development" } }))
            .seedEnvironment,
        ),
      expected: {
        action: "environment.seed",
        projectId: project,
        environmentId: env.preview,
        revision: 1,
        keys: ["A", "B"],
      },
    };
  },
  async promoteEnvironment() {
    const s = slug();
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "preview", key: "A", value: value() });
    await setVariable(sdk, { project: s, environment: "preview", key: "B", value: value() });
    await setVariable(sdk, { project: s, environment: "production", key: "OLD", value: value() });
    const { project, env } = await ids(s);
    return {
      run: async () =>
        ok(
          (await sdk.promoteEnvironment({ input: { project: s, from: "preview", to: "production", prune: true } }))
            .promoteEnvironment,
        ),
      expected: {
        action: "environment.promote",
        projectId: project,
        environmentId: env.production,
        revision: 2,
        keys: ["A", "B", "OLD"],
      },
    };
  },
  async restoreEnvironment() {
    const s = slug();
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "preview", key: "A", value: value() });
    await setVariable(sdk, { project: s, environment: "preview", key: "B", value: value() });
    const { project, env } = await ids(s);
    return {
      run: async () =>
        ok(
          (await sdk.restoreEnvironment({ input: { project: s, environment: "preview", revision: 1 } }))
            .restoreEnvironment,
        ),
      expected: {
        action: "environment.restore",
        projectId: project,
        environmentId: env.preview,
        revision: 3,
        keys: ["B"],
        metadata: { restoredFrom: 1, overridesRestored: 0, skippedBranches: [] },
      },
    };
  },
  async createBranch() {
    const s = slug();
    await createProject(sdk, s);
    const { project } = await ids(s);
    return {
      run: async () => ok((await sdk.createBranch({ input: { project: s, name: "feature-x" } })).createBranch),
      expected: { action: "branch.create", projectId: project },
    };
  },
  async deleteBranch() {
    const s = slug();
    await createProject(sdk, s, { branches: ["feature-x"] });
    await setVariable(sdk, { project: s, environment: "preview", key: "A", value: value() });
    await setVariable(sdk, { project: s, environment: "preview", key: "A", value: value(), branch: "feature-x" });
    const { project, branch } = await ids(s);
    return {
      run: async () => ok((await sdk.deleteBranch({ input: { project: s, name: "feature-x" } })).deleteBranch),
      expected: {
        action: "branch.delete",
        projectId: project,
        branchId: branch["feature-x"],
        metadata: expect.objectContaining({ overridesRemoved: 1 }),
      },
    };
  },
  async createPreview() {
    const s = slug();
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "preview", key: "A", value: value() });
    await setVariable(sdk, { project: s, environment: "preview", key: "S", value: value(), secret: true });
    const { project } = await ids(s);
    return {
      run: async () =>
        ok(
          (
            await sdk.createPreview({
              input: {
                project: s,
                branch: "feat",
                url: "https://x.example.com",
                overrides: [{ key: "B", value: value() }],
              },
            })
          ).createPreview,
        ),
      expected: {
        action: "preview.create",
        projectId: project,
        revision: 1,
        keys: ["A", "B", "S"],
        metadata: expect.objectContaining({ name: "preview/feat", branch: "feat", fromName: "preview", copied: 2 }),
      },
    };
  },
  async deletePreview() {
    const s = slug();
    await createProject(sdk, s);
    ok(
      (await sdk.createPreview({ input: { project: s, branch: "feat", url: "https://x.example.com" } })).createPreview,
    );
    const { project, env, branch } = await ids(s);
    return {
      run: async () => ok((await sdk.deletePreview({ input: { project: s, branch: "feat" } })).deletePreview),
      expected: {
        action: "preview.delete",
        projectId: project,
        environmentId: env["preview/feat"],
        branchId: branch.feat,
        metadata: { name: "preview/feat", branch: "feat" },
      },
    };
  },
  async updateBranchMapping() {
    const s = slug();
    await createProject(sdk, s);
    const { project } = await ids(s);
    const entries = [
      { environment: "production", branch: "main" },
      { environment: "preview", branch: "dev" },
    ];
    return {
      run: async () => ok((await sdk.updateBranchMapping({ input: { project: s, entries } })).updateBranchMapping),
      expected: { action: "mapping.set", projectId: project },
    };
  },
  async setVariable() {
    const s = slug();
    await createProject(sdk, s, { branches: ["feature-x"] });
    await setVariable(sdk, { project: s, environment: "preview", key: "API_KEY", value: value(), secret: true });
    const { project, env, branch } = await ids(s);
    return {
      run: async () =>
        ok(
          (
            await sdk.setVariable({
              input: { project: s, environment: "preview", key: "API_KEY", value: value(), branch: "feature-x" },
            })
          ).setVariable,
        ),
      expected: {
        action: "variable.set",
        projectId: project,
        environmentId: env.preview,
        branchId: branch["feature-x"],
        revision: 2,
        keys: ["API_KEY"],
      },
    };
  },
  async unsetVariable() {
    const s = slug();
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "development", key: "GONE", value: value() });
    const { project, env } = await ids(s);
    return {
      run: async () =>
        ok((await sdk.unsetVariable({ input: { project: s, environment: "development", key: "GONE" } })).unsetVariable),
      expected: {
        action: "variable.unset",
        projectId: project,
        environmentId: env.development,
        revision: 2,
        keys: ["GONE"],
      },
    };
  },
  async setVariables() {
    const s = slug();
    await createProject(sdk, s, { branches: ["feature-x"] });
    await setVariable(sdk, { project: s, environment: "preview", key: "A", value: value() });
    await setVariable(sdk, { project: s, environment: "preview", key: "B", value: value(), secret: true });
    const { project, env, branch } = await ids(s);
    const variables = [
      { key: "A", value: value() },
      { key: "B", value: value() },
    ];
    return {
      run: async () =>
        ok(
          (await sdk.setVariables({ input: { project: s, environment: "preview", variables, branch: "feature-x" } }))
            .setVariables,
        ),
      expected: {
        action: "variables.set",
        projectId: project,
        environmentId: env.preview,
        branchId: branch["feature-x"],
        revision: 3,
        keys: ["A", "B"],
        metadata: { created: 2, updated: 0 },
      },
    };
  },
  async setSharedVariable() {
    const s = slug();
    await createProject(sdk, s);
    const { project } = await ids(s);
    const input = { project: s, key: "SHARED_A", value: value(), secret: true };
    return {
      run: async () => ok((await sdk.setSharedVariable({ input })).setSharedVariable),
      expected: {
        action: "shared.set",
        projectId: project,
        environmentId: expect.any(String),
        revision: 1,
        keys: ["SHARED_A"],
        metadata: { created: true, isSecret: true },
      },
    };
  },
  async unsetSharedVariable() {
    const s = slug();
    await createProject(sdk, s);
    ok((await sdk.setSharedVariable({ input: { project: s, key: "SHARED_A", value: value() } })).setSharedVariable);
    const { project } = await ids(s);
    return {
      run: async () =>
        ok((await sdk.unsetSharedVariable({ input: { project: s, key: "SHARED_A" } })).unsetSharedVariable),
      expected: {
        action: "shared.unset",
        projectId: project,
        environmentId: expect.any(String),
        revision: 2,
        keys: ["SHARED_A"],
        metadata: { forced: false, usedBy: [] },
      },
    };
  },
  async setVariableNote() {
    const s = slug();
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "preview", key: "A", value: value(), secret: true });
    const { project, env } = await ids(s);
    const input = { project: s, environment: "preview", key: "A", note: `note ${canary}` };
    return {
      run: async () => ok((await sdk.setVariableNote({ input })).setVariableNote),
      expected: {
        action: "variable.note_set",
        projectId: project,
        environmentId: env.preview,
        revision: 2,
        keys: ["A"],
        metadata: { notesChanged: 1 },
      },
    };
  },
  async unsetVariables() {
    const s = slug();
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "development", key: "GONE", value: value() });
    await setVariable(sdk, { project: s, environment: "development", key: "ALSO_GONE", value: value() });
    const { project, env } = await ids(s);
    const keys = ["GONE", "ALSO_GONE", "NEVER_THERE"];
    return {
      run: async () =>
        ok((await sdk.unsetVariables({ input: { project: s, environment: "development", keys } })).unsetVariables),
      expected: {
        action: "variables.unset",
        projectId: project,
        environmentId: env.development,
        revision: 3,
        keys: ["ALSO_GONE", "GONE"],
      },
    };
  },
  async bulkUpsertVariables() {
    const s = slug();
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "development", key: "SAME", value: "same" });
    await setVariable(sdk, { project: s, environment: "development", key: "PRUNED", value: value() });
    const { project, env } = await ids(s);
    const variables = [
      { key: "SAME", value: "same" },
      { key: "NEW", value: value() },
      { key: "NEW_SECRET", value: value(), secret: true },
    ];
    return {
      run: async () =>
        ok(
          (await sdk.bulkUpsertVariables({ input: { project: s, environment: "development", variables, prune: true } }))
            .bulkUpsertVariables,
        ),
      // the keys written or removed; SAME did not change
      expected: {
        action: "variables.bulk_upsert",
        projectId: project,
        environmentId: env.development,
        revision: 3,
        keys: ["NEW", "NEW_SECRET", "PRUNED"],
      },
    };
  },
  async createToken() {
    const s = slug();
    await createProject(sdk, s);
    const { project } = await ids(s);
    return {
      run: async () =>
        ok(
          (
            await sdk.createToken({
              input: { kind: "SERVICE", name: "ci", project: s, permissions: ["READ"], environments: ["preview"] },
            })
          ).createToken,
        ),
      expected: {
        action: "token.create",
        projectId: project,
        metadata: expect.objectContaining({ kind: "service", environments: ["preview"] }),
      },
    };
  },
  async revokeToken() {
    const s = slug();
    await createProject(sdk, s);
    const { project } = await ids(s);
    const token = await serviceToken(server, s, ["READ"]);
    return {
      run: async () => ok((await sdk.revokeToken({ input: { id: token.id } })).revokeToken),
      expected: { action: "token.revoke", projectId: project, metadata: { token: token.id, kind: "service" } },
    };
  },
  async createWebhook() {
    const s = slug();
    await createProject(sdk, s);
    const { project } = await ids(s);
    return {
      run: async () =>
        ok((await sdk.createWebhook({ input: { project: s, url: "http://127.0.0.1:9/hook" } })).createWebhook),
      expected: { action: "webhook.create", projectId: project, metadata: { url: "http://127.0.0.1:9/hook" } },
    };
  },
  async deleteWebhook() {
    const s = slug();
    await createProject(sdk, s);
    const { project } = await ids(s);
    const { webhook } = expectType(
      (await sdk.createWebhook({ input: { project: s, url: "http://127.0.0.1:9/hook" } })).createWebhook,
      "CreateWebhookPayload",
    );
    return {
      run: async () => ok((await sdk.deleteWebhook({ input: { project: s, id: webhook.id } })).deleteWebhook),
      expected: { action: "webhook.delete", projectId: project, metadata: { webhook: webhook.id } },
    };
  },
  async redeliverWebhook() {
    const s = slug();
    await createProject(sdk, s);
    const { project } = await ids(s);
    const { webhook } = expectType(
      (await sdk.createWebhook({ input: { project: s, url: "http://127.0.0.1:9/hook" } })).createWebhook,
      "CreateWebhookPayload",
    );
    await setVariable(sdk, { project: s, environment: "development", key: "A", value: value() });
    const hooks = (await sdk.webhookDeliveries({ slug: s })).project!.webhooks;
    const delivery = hooks[0].deliveries.nodes[0];
    return {
      run: async () =>
        ok((await sdk.redeliverWebhook({ input: { project: s, deliveryId: delivery.id } })).redeliverWebhook),
      expected: { action: "webhook.redeliver", projectId: project, metadata: { webhook: webhook.id } },
    };
  },
  async connectGit() {
    const s = slug();
    await createProject(sdk, s);
    const { project } = await ids(s);
    return {
      run: async () =>
        ok(
          (await sdk.connectGit({ input: { project: s, createPreviews: true, previewUrl: "https://{branch}.x.test" } }))
            .connectGit,
        ),
      expected: { action: "git.connect", projectId: project, metadata: { createPreviews: true } },
    };
  },
  async rotateGitSecret() {
    const s = slug();
    await createProject(sdk, s);
    const { project } = await ids(s);
    ok((await sdk.connectGit({ input: { project: s } })).connectGit);
    return {
      run: async () => ok((await sdk.rotateGitSecret({ input: { project: s } })).rotateGitSecret),
      expected: { action: "git.rotate_secret", projectId: project },
    };
  },
  async updateGit() {
    const s = slug();
    await createProject(sdk, s);
    const { project } = await ids(s);
    ok((await sdk.connectGit({ input: { project: s } })).connectGit);
    return {
      run: async () =>
        ok(
          (await sdk.updateGit({ input: { project: s, createPreviews: true, previewUrl: "https://{branch}.x.test" } }))
            .updateGit,
        ),
      expected: { action: "git.update", projectId: project, metadata: { createPreviews: true } },
    };
  },
  async disconnectGit() {
    const s = slug();
    await createProject(sdk, s);
    const { project } = await ids(s);
    ok((await sdk.connectGit({ input: { project: s } })).connectGit);
    return {
      run: async () => ok((await sdk.disconnectGit({ input: { project: s } })).disconnectGit),
      expected: { action: "git.disconnect", projectId: project },
    };
  },
  async createUser() {
    return {
      run: async () => ok((await sdk.createUser({ input: { name: "Events user" } })).createUser),
      expected: { action: "user.create", projectId: null },
    };
  },
  async setMember() {
    const s = slug();
    await createProject(sdk, s);
    const user = await newUser(server, "member to add");
    const { project } = await ids(s);
    return {
      run: async () =>
        ok((await sdk.setMember({ input: { project: s, userId: user.id, role: "DEVELOPER" } })).setMember),
      expected: {
        action: "member.set",
        projectId: project,
        metadata: { userId: user.id, role: "developer", previousRole: null },
      },
    };
  },
  async removeMember() {
    const s = slug();
    await createProject(sdk, s);
    const user = await newUser(server, "member to remove");
    ok((await sdk.setMember({ input: { project: s, userId: user.id, role: "VIEWER" } })).setMember);
    const { project } = await ids(s);
    return {
      run: async () => ok((await sdk.removeMember({ input: { project: s, userId: user.id } })).removeMember),
      expected: { action: "member.remove", projectId: project, metadata: { userId: user.id, role: "viewer" } },
    };
  },
  // Service bindings: bindService and unbindService append one project-level event (plus one per environment whose
  // credential changes: none here); updateBinding's event is its one environment's (see test/api/bindings.test.ts).
  async bindService() {
    const s = slug();
    await createProject(sdk, s);
    const { project } = await ids(s);
    return {
      run: async () =>
        ok((await sdk.bindService({ input: { project: s, name: "main-db", service: "POSTGRES" } })).bindService),
      expected: {
        action: "binding.create",
        projectId: project,
        keys: ["DATABASE_URL"],
        metadata: { name: "main-db", service: "postgres", variable: "DATABASE_URL", environments: [] },
      },
    };
  },
  async updateBinding() {
    const s = slug();
    await createProject(sdk, s);
    ok((await sdk.bindService({ input: { project: s, name: "main-db", service: "POSTGRES" } })).bindService);
    const { project, env } = await ids(s);
    return {
      run: async () =>
        ok(
          (
            await sdk.updateBinding({
              input: { project: s, name: "main-db", environments: [{ environment: "preview", value: value() }] },
            })
          ).updateBinding,
        ),
      expected: {
        action: "binding.credential_set",
        projectId: project,
        environmentId: env.preview,
        revision: 1,
        keys: ["DATABASE_URL"],
        metadata: { binding: "main-db" },
      },
    };
  },
  async unbindService() {
    const s = slug();
    await createProject(sdk, s);
    ok(
      (await sdk.bindService({ input: { project: s, name: "cache", service: "REDIS", variable: "REDIS_URL" } }))
        .bindService,
    );
    const { project } = await ids(s);
    return {
      run: async () => ok((await sdk.unbindService({ input: { project: s, name: "cache" } })).unbindService),
      expected: {
        action: "binding.delete",
        projectId: project,
        keys: ["REDIS_URL"],
        metadata: { name: "cache", service: "redis", keptVariables: false, environments: [] },
      },
    };
  },
  async createSecretRequest() {
    const s = slug();
    await createProject(sdk, s);
    const { project, env } = await ids(s);
    return {
      run: async () =>
        ok(
          (await sdk.CreateSecretRequest({ input: { project: s, environment: "preview", key: "K" } }))
            .createSecretRequest,
        ),
      expected: { action: "secret_request.create", projectId: project, environmentId: env.preview, keys: ["K"] },
    };
  },
  async cancelSecretRequest() {
    const s = slug();
    await createProject(sdk, s);
    const { project, env } = await ids(s);
    const created = ok(
      (await sdk.CreateSecretRequest({ input: { project: s, environment: "preview", key: "K" } })).createSecretRequest,
    );
    const id = expectType(created, "CreateSecretRequestPayload").request.id;
    return {
      run: async () => ok((await sdk.CancelSecretRequest({ input: { id } })).cancelSecretRequest),
      expected: {
        action: "secret_request.cancel",
        projectId: project,
        environmentId: env.preview,
        keys: ["K"],
        metadata: { requestId: id },
      },
    };
  },
  async fulfillSecretRequest() {
    const s = slug();
    await createProject(sdk, s);
    const { project, env } = await ids(s);
    const created = ok(
      (await sdk.CreateSecretRequest({ input: { project: s, environment: "preview", key: "K" } })).createSecretRequest,
    );
    const id = expectType(created, "CreateSecretRequestPayload").request.id;
    // Only a dashboard session fulfils: the owner's, descending from the owner's token (the event names both).
    const session = await sessionOf(server.ownerToken);
    return {
      run: async () => ok((await session.FulfillSecretRequest({ input: { id, value: value() } })).fulfillSecretRequest),
      expected: {
        action: "secret_request.fulfill",
        projectId: project,
        environmentId: env.preview,
        revision: 1,
        keys: ["K"],
        metadata: expect.objectContaining({ requestId: id, isSecret: true }),
      },
    };
  },
};

/** An SDK client of a dashboard session of `token`'s user (in-process, with the cookie and the dashboard header). */
async function sessionOf(token: string): Promise<EnvplaneClient> {
  const origin = new URL(server.url).origin;
  const headers = { "content-type": "application/json", "x-envplane-client": "dashboard", origin };
  const response = await server.app.fetch(
    new Request(`${origin}/auth/session`, { method: "POST", headers, body: JSON.stringify({ token }) }),
  );
  const cookie = /^(envplane_session=[^;]*);/.exec(response.headers.get("set-cookie") ?? "")?.[1];
  if (!cookie) throw new Error(`no session: ${response.status} ${await response.text()}`);
  return createClient({
    url: server.url,
    headers: { "x-envplane-client": "dashboard", cookie, origin },
    fetch: (input, init) => server.app.fetch(new Request(input, init)),
  });
}

describe("every mutation writes exactly one event", () => {
  it("the table covers every Mutation field of the schema", () => {
    const mutations = Object.keys(schema.getMutationType()!.getFields()).sort();
    expect(Object.keys(cases).sort()).toEqual(mutations);
  });

  it.each(Object.keys(schema.getMutationType()!.getFields()).sort())("%s", async (mutation) => {
    const make = cases[mutation];
    expect(make, `no event case for mutation ${mutation}: add one to test/api/events.test.ts`).toBeDefined();
    const { run, expected } = await make();
    const events = await eventsOf(run);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorType: "user",
      actorUserId: owner.userId,
      tokenId: owner.tokenId,
      ...expected,
    });
    expect(JSON.stringify(events[0])).not.toContain(canary);
  });

  it("a service token's write names the token, not a user", async () => {
    const s = slug();
    await createProject(sdk, s);
    const writer = await serviceToken(server, s, ["WRITE"], ["preview"]);
    const events = await eventsOf(async () =>
      ok(
        (await writer.client.setVariable({ input: { project: s, environment: "preview", key: "K", value: value() } }))
          .setVariable,
      ),
    );
    expect(events).toMatchObject([
      { action: "variable.set", actorType: "service", actorUserId: null, tokenId: writer.id, keys: ["K"] },
    ]);
  });

  it("events outlive their project, and the first start recorded the instance's initialization", async () => {
    const s = slug();
    await createProject(sdk, s);
    const { project } = await ids(s);
    await setVariable(sdk, { project: s, environment: "development", key: "A", value: value() });
    ok((await sdk.deleteProject({ input: { slug: s } })).deleteProject);
    const events = (await allEvents()).filter((e) => e.projectId === project).map((e) => e.action);
    expect(events).toEqual(["project.create", "variable.set", "project.delete"]);
    const [first] = await allEvents();
    expect(first).toMatchObject({
      action: "instance.initialize",
      actorType: "system",
      tokenId: null,
      metadata: { userId: owner.userId },
    });
  });

  it("every event is a link of its project's (or the instance's) hash chain: numbered without gaps, each naming the previous hash", async () => {
    const rows = await withRawDb(server.database, (q) =>
      q(`SELECT "chain", "seq", "prevHash", "hash", "projectId" FROM "Event" ORDER BY "chain", "seq"`),
    );
    expect(rows.length).toBeGreaterThan(30);
    const last = new Map<string, { seq: number; hash: string }>();
    for (const row of rows) {
      expect(row.chain).toBe(row.projectId ?? "");
      expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
      const previous = last.get(String(row.chain)) ?? { seq: 0, hash: "" };
      expect(Number(row.seq)).toBe(previous.seq + 1);
      expect(row.prevHash).toBe(previous.hash);
      last.set(String(row.chain), { seq: Number(row.seq), hash: String(row.hash) });
    }
    const heads = await withRawDb(server.database, (q) => q(`SELECT "chain", "seq", "hash" FROM "AuditChainHead"`));
    expect(Object.fromEntries(heads.map((h) => [h.chain, { seq: Number(h.seq), hash: h.hash }]))).toEqual(
      Object.fromEntries(last),
    );
  });

  it("no value ever reaches the Event table", async () => {
    const text = JSON.stringify((await allEvents()).map((e) => e.raw));
    expect(n).toBeGreaterThan(10);
    expect(text).not.toContain(canary);
  });
});

describe("a write that fails or changes nothing writes no event", () => {
  it("a stale expectedRevision", async () => {
    const s = slug();
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "development", key: "A", value: "1" });
    const events = await eventsOf(async () => {
      expectType(
        (
          await sdk.setVariable({
            input: { project: s, environment: "development", key: "A", value: "2", expectedRevision: 0 },
          })
        ).setVariable,
        "ConflictError",
      );
      const bulk = await sdk.bulkUpsertVariables({
        input: { project: s, environment: "development", variables: [{ key: "B", value: "b" }], expectedRevision: 0 },
      });
      expectType(bulk.bulkUpsertVariables, "ConflictError");
    });
    expect(events).toEqual([]);
    expect(await revision(s, "development")).toBe(1);
  });

  it("nothing to change: an unset of missing keys, a bulk upsert of the same values, a revoked token revoked again", async () => {
    const s = slug();
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "development", key: "A", value: "1" });
    const token = await serviceToken(server, s, ["READ"]);
    ok((await sdk.revokeToken({ input: { id: token.id } })).revokeToken);
    const events = await eventsOf(async () => {
      expect(
        ok(
          (await sdk.unsetVariable({ input: { project: s, environment: "development", key: "MISSING" } }))
            .unsetVariable,
        ),
      ).toMatchObject({ removed: false });
      const same = ok(
        (
          await sdk.bulkUpsertVariables({
            input: { project: s, environment: "development", variables: [{ key: "A", value: "1" }] },
          })
        ).bulkUpsertVariables,
      );
      expect(same).toMatchObject({ applied: false });
      const none = ok(
        (await sdk.unsetVariables({ input: { project: s, environment: "development", keys: ["MISSING", "GONE"] } }))
          .unsetVariables,
      );
      expect(none).toMatchObject({ removed: [], missing: ["MISSING", "GONE"], revision: 1 });
      ok((await sdk.revokeToken({ input: { id: token.id } })).revokeToken);
    });
    expect(events).toEqual([]);
  });

  it("a refused write (forbidden, invalid)", async () => {
    const s = slug();
    await createProject(sdk, s);
    const reader = await serviceToken(server, s, ["READ"]);
    const events = await eventsOf(async () => {
      expectType(
        (
          await reader.client.setVariable({
            input: { project: s, environment: "development", key: "A", value: value() },
          })
        ).setVariable,
        "ForbiddenError",
      );
      expectType(
        (await sdk.setVariable({ input: { project: s, environment: "development", key: "1BAD", value: value() } }))
          .setVariable,
        "ValidationError",
      );
      expectType(
        (await sdk.deleteEnvironment({ input: { project: s, name: "production" } })).deleteEnvironment,
        "ValidationError",
      );
    });
    expect(events).toEqual([]);
  });

  it("an error in the middle of the transaction (a database trigger fails one insert): nothing is written, no event", async () => {
    const s = slug();
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "development", key: "A", value: "1" });
    const sqlite = server.database.provider === "sqlite";
    await withRawDb(server.database, async (q) => {
      if (sqlite)
        await q(
          `CREATE TRIGGER boom BEFORE INSERT ON "Variable" WHEN NEW."key" = 'BOOM' BEGIN SELECT RAISE(ABORT, 'forced failure'); END`,
        );
      else {
        await q(
          `CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW."key" = 'BOOM' THEN RAISE EXCEPTION 'forced failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
        );
        await q(`CREATE TRIGGER boom BEFORE INSERT ON "Variable" FOR EACH ROW EXECUTE FUNCTION boom()`);
      }
    });
    try {
      const events = await eventsOf(async () => {
        const failed = await sdk
          .bulkUpsertVariables({
            input: {
              project: s,
              environment: "development",
              variables: [
                { key: "A", value: "2" },
                { key: "BOOM", value: value() },
              ],
            },
          })
          .catch((e: Error) => e);
        expect(failed).toBeInstanceOf(Error);
        expect((failed as Error).message).toBe("Unexpected error.");
      });
      expect(events).toEqual([]);
      expect(await revision(s, "development")).toBe(1);
      expect((await sdk.pullVariables({ project: s, environment: "development" })).pullVariables).toMatchObject({
        variables: [{ key: "A", value: "1" }],
      });
    } finally {
      await withRawDb(server.database, (q) => q(sqlite ? `DROP TRIGGER boom` : `DROP TRIGGER boom ON "Variable"`));
    }
  });

  it("when the event cannot be written, the write itself is rolled back", async () => {
    const s = slug();
    await createProject(sdk, s);
    const sqlite = server.database.provider === "sqlite";
    await withRawDb(server.database, async (q) => {
      if (sqlite)
        await q(
          `CREATE TRIGGER no_events BEFORE INSERT ON "Event" WHEN NEW."action" = 'variable.set' BEGIN SELECT RAISE(ABORT, 'forced failure'); END`,
        );
      else {
        await q(
          `CREATE FUNCTION no_events() RETURNS trigger AS $$ BEGIN IF NEW."action" = 'variable.set' THEN RAISE EXCEPTION 'forced failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
        );
        await q(`CREATE TRIGGER no_events BEFORE INSERT ON "Event" FOR EACH ROW EXECUTE FUNCTION no_events()`);
      }
    });
    try {
      const failed = await sdk
        .setVariable({ input: { project: s, environment: "development", key: "A", value: value() } })
        .catch((e: Error) => e);
      expect(failed).toBeInstanceOf(Error);
    } finally {
      await withRawDb(server.database, (q) =>
        q(sqlite ? `DROP TRIGGER no_events` : `DROP TRIGGER no_events ON "Event"`),
      );
    }
    expect(await revision(s, "development")).toBe(0);
    expect(
      (await sdk.environmentVariables({ project: s, environment: "development" })).project!.environment!.variables
        .nodes,
    ).toEqual([]);
  });
});
