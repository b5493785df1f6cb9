/**
 * Tokens (SECURITY 12): format, shown once, only a hash stored, checksum checked before
 * any query, revocation at once, lastUsedAt.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EnvplaneClient, EnvplaneRequestError } from "../../sdk/index.js";
import { generateToken, hashToken } from "../../server/services/token-format.js";
import { expectType } from "../support/expect.js";
import { createProject, rawGraphQL, serviceToken } from "../support/fixtures.js";
import { databaseSnapshot, withRawDb } from "../support/raw-db.js";
import { startTestServer, type TestServer } from "../support/server.js";

const FORMAT = { PERSONAL: /^envp_pat_[0-9A-Za-z]{28}$/, SERVICE: /^envp_svc_[0-9A-Za-z]{28}$/ };

let server: TestServer;

async function unauthenticated(client: EnvplaneClient): Promise<EnvplaneRequestError> {
  const error = await client.viewer().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EnvplaneRequestError);
  expect((error as EnvplaneRequestError).code).toBe("UNAUTHENTICATED");
  expect((error as EnvplaneRequestError).status).toBe(401);
  return error as EnvplaneRequestError;
}

describe("tokens", () => {
  beforeAll(async () => {
    server = await startTestServer({ countQueries: true });
    for (const slug of ["tok-format", "tok-once", "tok-db", "tok-revoke", "tok-used"])
      await createProject(server.owner, slug);
  });
  afterAll(() => server.close());

  it("have a kind prefix, 22 random base62 characters (131 bits) and a checksum", async () => {
    const personal = expectType(
      (await server.owner.createToken({ input: { kind: "PERSONAL", name: "laptop" } })).createToken,
      "CreateTokenPayload",
    );
    const service = (await serviceToken(server, "tok-format", ["READ"])).created;
    const user = expectType(
      (await server.owner.createUser({ input: { name: "Ada" } })).createUser,
      "CreateUserPayload",
    );
    expect(personal.plaintextToken).toMatch(FORMAT.PERSONAL);
    expect(user.plaintextToken).toMatch(FORMAT.PERSONAL);
    expect(server.ownerToken).toMatch(FORMAT.PERSONAL);
    expect(service.plaintextToken).toMatch(FORMAT.SERVICE);
    expect(new Set([personal.plaintextToken, user.plaintextToken, server.ownerToken]).size).toBe(3);
    expect(personal.token.hint).toBe(`envp_pat_…${personal.plaintextToken.slice(-4)}`);
    expect(service.token.hint).toBe(`envp_svc_…${service.plaintextToken.slice(-4)}`);
  });

  it("are shown once: no later response contains them, and Token has no field that could", async () => {
    const created = (await serviceToken(server, "tok-once", ["READ"])).created;
    const personal = expectType(
      (await server.owner.createToken({ input: { kind: "PERSONAL", name: "once" } })).createToken,
      "CreateTokenPayload",
    );
    const fields = JSON.parse(
      await rawGraphQL(server, server.ownerToken, `{ __type(name: "Token") { fields { name } } }`),
    ).data.__type.fields.map((f: { name: string }) => f.name);
    expect(fields.sort()).toEqual([
      "createdAt",
      "createdBy",
      "environments",
      "expiresAt",
      "hint",
      "id",
      "kind",
      "lastUsedAt",
      "name",
      "permissions",
      "revokedAt",
    ]);

    const all = `id kind name hint permissions environments expiresAt revokedAt lastUsedAt createdAt createdBy { id name }`;
    const listings = [
      await rawGraphQL(
        server,
        server.ownerToken,
        `{ project(slug: "tok-once") { tokens { nodes { ${all} } } } viewer { personalTokens { nodes { ${all} } } token { ${all} } } }`,
      ),
      await rawGraphQL(server, created.plaintextToken, `{ viewer { token { ${all} } project { slug } } }`),
      await rawGraphQL(server, personal.plaintextToken, `{ viewer { token { ${all} } } }`),
      await rawGraphQL(
        server,
        server.ownerToken,
        `mutation($id: ID!) { revokeToken(input: { id: $id }) { ... on RevokeTokenPayload { token { ${all} } } } }`,
        { id: created.token.id },
      ),
    ];
    expect(listings[0]).toContain(created.token.id);
    expect(listings[0]).toContain(personal.token.id);
    for (const body of listings) {
      expect(body).not.toContain(created.plaintextToken);
      expect(body).not.toContain(personal.plaintextToken);
      expect(body).not.toContain(server.ownerToken);
    }
  });

  it("are stored only as a SHA-256 hash: the database holds no plaintext token", async () => {
    const service = (await serviceToken(server, "tok-db", ["READ"])).created;
    const user = expectType(
      (await server.owner.createUser({ input: { name: "Grace" } })).createUser,
      "CreateUserPayload",
    );
    await server.client(service.plaintextToken).viewer();
    const rows = await withRawDb(server.database, (q) => q(`SELECT * FROM "Token"`));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const dump = await databaseSnapshot(server.database);
    for (const token of [service.plaintextToken, user.plaintextToken, server.ownerToken]) {
      const secretPart = token.slice("envp_xxx_".length, -6);
      for (const row of rows) for (const value of Object.values(row)) expect(String(value)).not.toContain(secretPart);
      expect(rows.map((r) => r.hash)).toContain(hashToken(token));
      expect(dump.contains(secretPart)).toBe(false);
      // The search does read the database: the hash is there.
      expect(dump.contains(hashToken(token))).toBe(true);
    }
    for (const row of rows) expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("with a bad checksum, prefix or length are rejected before any database query", async () => {
    const valid = server.ownerToken;
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    const bad = [
      flip(valid, valid.length - 1),
      flip(valid, 12),
      valid.replace("envp_pat_", "envp_svc_"),
      valid.replace("envp_pat_", "envp_xyz_"),
      valid.slice(0, -1),
      `${valid}0`,
      "not-a-token",
    ];
    for (const token of bad) {
      const before = server.queries.length;
      const error = await unauthenticated(server.client(token));
      expect(error.message).toMatch(/malformed/);
      expect(server.queries.slice(before)).toEqual([]);
    }
    // A well-formed token with a valid checksum is looked up (so the count above can grow).
    const before = server.queries.length;
    const error = await unauthenticated(server.client(generateToken("personal")));
    expect(error.message).not.toMatch(/malformed/);
    expect(server.queries.slice(before).some((sql) => /\bToken\b/.test(sql))).toBe(true);
  });

  it("revoked ones stop working at once, and revoking twice changes nothing", async () => {
    const service = (await serviceToken(server, "tok-revoke", ["READ"])).created;
    const client = server.client(service.plaintextToken);
    expect((await client.viewer()).viewer.project?.slug).toBe("tok-revoke");
    const first = expectType(
      (await server.owner.revokeToken({ input: { id: service.token.id } })).revokeToken,
      "RevokeTokenPayload",
    );
    expect(first.token.revokedAt).not.toBeNull();
    expect((await unauthenticated(client)).message).toMatch(/revoked/);
    const second = expectType(
      (await server.owner.revokeToken({ input: { id: service.token.id } })).revokeToken,
      "RevokeTokenPayload",
    );
    expect(second.token.revokedAt).toBe(first.token.revokedAt);

    // A user revokes their own personal token; another user's token is not even visible to them.
    const alice = expectType(
      (await server.owner.createUser({ input: { name: "Alice" } })).createUser,
      "CreateUserPayload",
    );
    const bob = expectType((await server.owner.createUser({ input: { name: "Bob" } })).createUser, "CreateUserPayload");
    const aliceToken = (await server.client(alice.plaintextToken).viewer()).viewer.token;
    const bobToken = (await server.client(bob.plaintextToken).viewer()).viewer.token;
    expect(
      expectType(
        (await server.client(alice.plaintextToken).revokeToken({ input: { id: bobToken.id } })).revokeToken,
        "NotFoundError",
      ).resource,
    ).toBe("Token");
    expect((await server.client(bob.plaintextToken).viewer()).viewer.user?.id).toBe(bob.user.id);
    expectType(
      (await server.client(alice.plaintextToken).revokeToken({ input: { id: aliceToken.id } })).revokeToken,
      "RevokeTokenPayload",
    );
    const mine = { plaintextToken: alice.plaintextToken };
    await unauthenticated(server.client(mine.plaintextToken));
  });

  it("limited to some environments: another environment, existing or not, gets one answer that says the token may be why", async () => {
    await createProject(server.owner, "tok-scope");
    const previewOnly = await serviceToken(server, "tok-scope", ["READ"], ["preview"]);
    const everywhere = await serviceToken(server, "tok-scope", ["READ"]);
    const message = async (client: EnvplaneClient, environment: string) =>
      expectType((await client.pullVariables({ project: "tok-scope", environment })).pullVariables, "NotFoundError")
        .message;
    const existing = await message(previewOnly.client, "production");
    expect(existing).toBe(
      'Environment "production" not found in project "tok-scope", or this token may not use it: the token is limited ' +
        `to some of the project's environments (an admin sees which with "envplane tokens list").`,
    );
    expect(await message(previewOnly.client, "nope")).toBe(existing.replace('"production"', '"nope"'));
    expect(await message(everywhere.client, "nope")).toBe(
      'Environment "nope" not found in project "tok-scope". Run "envplane env list-environments" to see them.',
    );
  });

  it("limited to an empty list of environments or permissions are refused, never widened to all", async () => {
    await createProject(server.owner, "tok-empty");
    const count = async () => (await server.owner.projectTokens({ slug: "tok-empty" })).project!.tokens.totalCount;
    const before = await count();
    const noEnvironments = (
      await server.owner.createToken({
        input: { kind: "SERVICE", project: "tok-empty", name: "none", environments: [], permissions: ["RUNTIME"] },
      })
    ).createToken;
    expect(expectType(noEnvironments, "ValidationError").fieldErrors).toEqual([
      { path: ["environments"], message: expect.stringMatching(/at least one environment/) },
    ]);
    const noPermissions = (
      await server.owner.createToken({
        input: { kind: "SERVICE", project: "tok-empty", name: "none", permissions: [] },
      })
    ).createToken;
    expect(expectType(noPermissions, "ValidationError").fieldErrors).toEqual([
      { path: ["permissions"], message: expect.stringMatching(/at least one permission/) },
    ]);
    expect(await count()).toBe(before);
  });

  it("record lastUsedAt when used", async () => {
    const service = (await serviceToken(server, "tok-used", ["READ"])).created;
    expect(service.token.lastUsedAt).toBeNull();
    const listed = async () =>
      (await server.owner.projectTokens({ slug: "tok-used" })).project!.tokens.nodes.find(
        (t) => t.id === service.token.id,
      )!;
    expect((await listed()).lastUsedAt).toBeNull();
    const before = Date.now();
    await server.client(service.plaintextToken).viewer();
    const lastUsedAt = (await listed()).lastUsedAt;
    expect(lastUsedAt).not.toBeNull();
    expect(new Date(lastUsedAt!).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(new Date(lastUsedAt!).getTime()).toBeLessThanOrEqual(Date.now());
  });
});
