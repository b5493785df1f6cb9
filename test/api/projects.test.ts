import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EnvplaneClient } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import { createProject, newUser, userWithRole } from "../support/fixtures.js";
import { startTestServer, type TestServer } from "../support/server.js";

describe("projects and members", () => {
  let server: TestServer;
  let ownerName: string;
  beforeAll(async () => {
    server = await startTestServer();
    ownerName = (await server.owner.viewer()).viewer.user!.name;
  });
  afterAll(() => server.close());

  const slugs = async (sdk: EnvplaneClient) => (await sdk.projects()).projects.nodes.map((p) => p.slug);
  const members = async (slug: string) =>
    (await server.owner.projectMembers({ slug }))
      .project!.members.nodes.map((m) => [m.user.name, m.role])
      .sort((a, b) => a[0].localeCompare(b[0]));

  it("creates a project with the default branches, environments and mapping", async () => {
    const project = expectType(
      (await server.owner.createProject({ input: { slug: "p-defaults", name: "  Shop  " } })).createProject,
      "ProjectPayload",
    ).project;
    expect(project.slug).toBe("p-defaults");
    expect(project.name).toBe("Shop");
    expect(project.viewerRole).toBe("OWNER");
    expect(project.viewerCanManageTokens).toBe(true);
    expect(project.viewerCanDelete).toBe(true);
    expect(project.branches.map((b) => b.name)).toEqual(["dev", "main"]);
    expect(
      project.environments.map((e) => ({
        name: e.name,
        isDefault: e.isDefault,
        isProtected: e.isProtected,
        variableCount: e.variableCount,
      })),
    ).toEqual([
      { name: "development", isDefault: true, isProtected: false, variableCount: 0 },
      { name: "preview", isDefault: true, isProtected: false, variableCount: 0 },
      { name: "production", isDefault: true, isProtected: true, variableCount: 0 },
    ]);
    expect(project.mapping.map((m) => [m.position, m.environment.name, m.branch])).toEqual([
      [0, "production", "main"],
      [1, "preview", "*"],
    ]);
    // the name defaults to the slug
    expect((await createProject(server.owner, "p-noname")).name).toBe("p-noname");
  });

  it("rejects a duplicate slug with a ConflictError and changes nothing", async () => {
    await createProject(server.owner, "p-dup");
    const before = await server.owner.project({ slug: "p-dup" });
    const list = await slugs(server.owner);
    const error = expectType(
      (await server.owner.createProject({ input: { slug: "p-dup", name: "Other" } })).createProject,
      "ConflictError",
    );
    expect(error.message).toContain('"p-dup"');
    expect(await server.owner.project({ slug: "p-dup" })).toEqual(before);
    expect(await slugs(server.owner)).toEqual(list);
  });

  it.each(["P-Upper", "x", "-lead", "under_score", "a".repeat(64), "café"])(
    "rejects the slug %j with a ValidationError on [slug]",
    async (slug) => {
      const list = await slugs(server.owner);
      const error = expectType(
        (await server.owner.createProject({ input: { slug } })).createProject,
        "ValidationError",
      );
      expect(error.fieldErrors.map((e) => e.path)).toEqual([["slug"]]);
      expect(error.message).toMatch(/slug/i);
      expect(await slugs(server.owner)).toEqual(list);
      expect((await server.owner.project({ slug })).project).toBeNull();
    },
  );

  it("rejects an empty display name on [name]", async () => {
    const error = expectType(
      (await server.owner.createProject({ input: { slug: "p-blank", name: "   " } })).createProject,
      "ValidationError",
    );
    expect(error.fieldErrors.map((e) => e.path)).toEqual([["name"]]);
    expect((await server.owner.project({ slug: "p-blank" })).project).toBeNull();
  });

  it("lists only the caller's projects; project(slug) is null for non-members", async () => {
    const alice = await newUser(server, "alice-list");
    await createProject(server.owner, "p-owners");
    await createProject(alice.client, "p-alices");
    expect(await slugs(alice.client)).toEqual(["p-alices"]);
    const ownerSlugs = await slugs(server.owner);
    expect(ownerSlugs).toContain("p-owners");
    expect(ownerSlugs).not.toContain("p-alices");
    expect((await alice.client.project({ slug: "p-owners" })).project).toBeNull();
    expect((await server.owner.project({ slug: "p-alices" })).project).toBeNull();
    expect((await alice.client.project({ slug: "p-alices" })).project?.viewerRole).toBe("OWNER");
    // a non-member cannot tell an existing project from a missing one
    const hidden = expectType(
      (await alice.client.deleteProject({ input: { slug: "p-owners" } })).deleteProject,
      "NotFoundError",
    );
    const missing = expectType(
      (await alice.client.deleteProject({ input: { slug: "p-nowhere" } })).deleteProject,
      "NotFoundError",
    );
    expect(hidden.message.replace("p-owners", "X")).toBe(missing.message.replace("p-nowhere", "X"));
    expect(await slugs(server.owner)).toEqual(ownerSlugs);
  });

  it("lets owners delete a project and refuses admins", async () => {
    await createProject(server.owner, "p-delete");
    const admin = await userWithRole(server, "p-delete", "ADMIN", "admin-delete");
    const viewerCanDelete = (await admin.client.project({ slug: "p-delete" })).project!.viewerCanDelete;
    expect(viewerCanDelete).toBe(false);
    const before = await server.owner.project({ slug: "p-delete" });
    const forbidden = expectType(
      (await admin.client.deleteProject({ input: { slug: "p-delete" } })).deleteProject,
      "ForbiddenError",
    );
    expect(forbidden.message).toMatch(/owner/i);
    expect(await server.owner.project({ slug: "p-delete" })).toEqual(before);

    expect(
      expectType(
        (await server.owner.deleteProject({ input: { slug: "p-delete" } })).deleteProject,
        "DeleteProjectPayload",
      ).slug,
    ).toBe("p-delete");
    expect((await server.owner.project({ slug: "p-delete" })).project).toBeNull();
    expect(await slugs(admin.client)).not.toContain("p-delete");
    // the slug is free again
    await createProject(server.owner, "p-delete");
  });

  it("only instance admins create users; the new user's token works", async () => {
    const created = expectType(
      (await server.owner.createUser({ input: { name: "Bob", email: "bob@example.com" } })).createUser,
      "CreateUserPayload",
    );
    expect(created.user).toMatchObject({ name: "Bob", email: "bob@example.com", isInstanceAdmin: false });
    expect(created.plaintextToken).toMatch(/^envp_pat_[0-9A-Za-z]{28}$/);
    const bob = server.client(created.plaintextToken);
    const viewer = (await bob.viewer()).viewer;
    expect(viewer.user?.id).toBe(created.user.id);
    expect(viewer.token.kind).toBe("PERSONAL");
    expect(await slugs(bob)).toEqual([]);

    const usersBefore = (await server.owner.users()).users.nodes;
    const forbidden = expectType((await bob.createUser({ input: { name: "Mallory" } })).createUser, "ForbiddenError");
    expect(forbidden.message).toMatch(/instance admin/i);
    expect((await server.owner.users()).users.nodes).toEqual(usersBefore);

    const duplicate = expectType(
      (await server.owner.createUser({ input: { name: "Bob 2", email: "bob@example.com" } })).createUser,
      "ConflictError",
    );
    expect(duplicate.message).toContain("bob@example.com");
    expect((await server.owner.users()).users.nodes).toEqual(usersBefore);

    // an instance admin created by the owner may create users too
    const admin = await newUser(server, "instance-admin", { isInstanceAdmin: true });
    expectType((await admin.client.createUser({ input: { name: "Carol" } })).createUser, "CreateUserPayload");
  });

  it("sets member roles; only owners grant owner", async () => {
    await createProject(server.owner, "p-members");
    const dev = await newUser(server, "m-dev");
    const admin = await newUser(server, "m-admin");
    const viewer = await newUser(server, "m-viewer");
    const set = async (sdk: EnvplaneClient, userId: string, role: "VIEWER" | "DEVELOPER" | "ADMIN" | "OWNER") =>
      (await sdk.setMember({ input: { project: "p-members", userId, role } })).setMember;

    expect(expectType(await set(server.owner, dev.id, "DEVELOPER"), "SetMemberPayload").member.role).toBe("DEVELOPER");
    expectType(await set(server.owner, admin.id, "ADMIN"), "SetMemberPayload");
    expect((await dev.client.project({ slug: "p-members" })).project?.viewerRole).toBe("DEVELOPER");
    expect((await dev.client.project({ slug: "p-members" })).project?.viewerCanManageTokens).toBe(false);

    // admins manage members below owner
    expectType(await set(admin.client, viewer.id, "VIEWER"), "SetMemberPayload");
    expectType(await set(admin.client, dev.id, "ADMIN"), "SetMemberPayload");
    expectType(await set(admin.client, dev.id, "DEVELOPER"), "SetMemberPayload");
    const before = await members("p-members");
    expect(before).toEqual(
      [
        ["m-admin", "ADMIN"],
        ["m-dev", "DEVELOPER"],
        ["m-viewer", "VIEWER"],
        [ownerName, "OWNER"],
      ].sort((a, b) => a[0].localeCompare(b[0])),
    );

    // developers cannot manage members; admins cannot grant owner
    expectType(await set(dev.client, viewer.id, "DEVELOPER"), "ForbiddenError");
    const noOwner = expectType(await set(admin.client, admin.id, "OWNER"), "ForbiddenError");
    expect(noOwner.message).toMatch(/owner/i);
    expect(await members("p-members")).toEqual(before);

    // owners grant owner; an admin cannot take it away again
    expectType(await set(server.owner, admin.id, "OWNER"), "SetMemberPayload");
    const second = await newUser(server, "m-admin2");
    expectType(await set(server.owner, second.id, "ADMIN"), "SetMemberPayload");
    const snapshot = await members("p-members");
    expectType(await set(second.client, admin.id, "DEVELOPER"), "ForbiddenError");
    expectType(
      (await second.client.removeMember({ input: { project: "p-members", userId: admin.id } })).removeMember,
      "ForbiddenError",
    );
    expect(await members("p-members")).toEqual(snapshot);

    // removing a member takes their access away
    expectType(
      (await server.owner.removeMember({ input: { project: "p-members", userId: viewer.id } })).removeMember,
      "RemoveMemberPayload",
    );
    expect((await viewer.client.project({ slug: "p-members" })).project).toBeNull();
    expectType(
      (await server.owner.removeMember({ input: { project: "p-members", userId: viewer.id } })).removeMember,
      "NotFoundError",
    );
  });

  it("rejects an unknown user id with a NotFoundError", async () => {
    await createProject(server.owner, "p-unknown-user");
    const before = await members("p-unknown-user");
    expectType(
      (await server.owner.setMember({ input: { project: "p-unknown-user", userId: "nope", role: "VIEWER" } }))
        .setMember,
      "NotFoundError",
    );
    expect(await members("p-unknown-user")).toEqual(before);
  });

  it("never removes or demotes the last owner", async () => {
    const alice = await newUser(server, "last-owner");
    await createProject(alice.client, "p-last-owner");
    const demote = expectType(
      (await alice.client.setMember({ input: { project: "p-last-owner", userId: alice.id, role: "ADMIN" } })).setMember,
      "ValidationError",
    );
    expect(demote.message).toMatch(/last owner/i);
    const remove = expectType(
      (await alice.client.removeMember({ input: { project: "p-last-owner", userId: alice.id } })).removeMember,
      "ValidationError",
    );
    expect(remove.message).toMatch(/last owner/i);
    expect((await alice.client.project({ slug: "p-last-owner" })).project?.viewerRole).toBe("OWNER");

    // with a second owner, the first may step down
    const bob = await newUser(server, "second-owner");
    expectType(
      (await alice.client.setMember({ input: { project: "p-last-owner", userId: bob.id, role: "OWNER" } })).setMember,
      "SetMemberPayload",
    );
    expectType(
      (await alice.client.setMember({ input: { project: "p-last-owner", userId: alice.id, role: "DEVELOPER" } }))
        .setMember,
      "SetMemberPayload",
    );
    expect((await alice.client.project({ slug: "p-last-owner" })).project?.viewerRole).toBe("DEVELOPER");
    // now bob is the last owner
    expectType(
      (await bob.client.removeMember({ input: { project: "p-last-owner", userId: bob.id } })).removeMember,
      "ValidationError",
    );
    expect((await bob.client.project({ slug: "p-last-owner" })).project?.viewerRole).toBe("OWNER");
  });
});
