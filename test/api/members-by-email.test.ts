/**
 * setMember names the user by e-mail (the dashboard's "add a member by e-mail"): a project admin
 * who may not list the instance's users can still add someone they know by address. Only callers
 * who may manage members learn whether an address exists; bad input changes nothing.
 */
import { describe, expect, it } from "vitest";
import { expectType } from "../support/expect.js";
import { createProject, newUser, userWithRole, useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
useTestServer((s) => {
  server = s;
});

async function membersOf(slug: string) {
  const project = (await server.owner.projectMembers({ slug, first: 100 })).project!;
  return project.members.nodes.map((m) => ({ id: m.user.id, role: m.role }));
}

describe("setMember by e-mail", () => {
  it("a project admin (not an instance admin) adds a user by e-mail and changes the role", async () => {
    await createProject(server.owner, "by-email");
    const admin = await userWithRole(server, "by-email", "ADMIN");
    const created = expectType(
      (await server.owner.createUser({ input: { name: "Ann", email: "ann@example.com" } })).createUser,
      "CreateUserPayload",
    );
    const added = expectType(
      (await admin.client.setMember({ input: { project: "by-email", email: "ann@example.com", role: "VIEWER" } }))
        .setMember,
      "SetMemberPayload",
    );
    expect(added.member.user.id).toBe(created.user.id);
    expect(await membersOf("by-email")).toContainEqual({ id: created.user.id, role: "VIEWER" });
    expectType(
      (await admin.client.setMember({ input: { project: "by-email", email: " ann@example.com ", role: "DEVELOPER" } }))
        .setMember,
      "SetMemberPayload",
    );
    expect(await membersOf("by-email")).toContainEqual({ id: created.user.id, role: "DEVELOPER" });
  });

  it("an unknown e-mail is a NotFoundError that says how to add users; nothing changes", async () => {
    await createProject(server.owner, "unknown-email");
    const before = await membersOf("unknown-email");
    const result = (
      await server.owner.setMember({ input: { project: "unknown-email", email: "nobody@example.com", role: "VIEWER" } })
    ).setMember;
    const error = expectType(result, "NotFoundError");
    expect(error.message).toMatch(/No user with e-mail "nobody@example.com"/);
    expect(error.message).toMatch(/Instance admins add users/);
    expect(await membersOf("unknown-email")).toEqual(before);
  });

  it("both or neither of userId and email is a ValidationError", async () => {
    await createProject(server.owner, "both-email");
    const user = await newUser(server, "Both");
    const both = (
      await server.owner.setMember({
        input: { project: "both-email", userId: user.id, email: "x@example.com", role: "VIEWER" },
      })
    ).setMember;
    expect(expectType(both, "ValidationError").message).toMatch(/userId or by email/);
    const neither = (await server.owner.setMember({ input: { project: "both-email", role: "VIEWER" } })).setMember;
    expect(expectType(neither, "ValidationError").message).toMatch(/userId or by email/);
    const blank = (await server.owner.setMember({ input: { project: "both-email", email: "  ", role: "VIEWER" } }))
      .setMember;
    expect(expectType(blank, "ValidationError").fieldErrors).toEqual([
      { path: ["email"], message: expect.stringMatching(/e-mail address/) },
    ]);
    expect((await membersOf("both-email")).map((m) => m.id)).not.toContain(user.id);
  });

  it("a developer cannot probe e-mail addresses: ForbiddenError whether the address exists or not", async () => {
    await createProject(server.owner, "probe-email");
    const developer = await userWithRole(server, "probe-email", "DEVELOPER");
    expectType(
      (await server.owner.createUser({ input: { name: "Bob", email: "bob@example.com" } })).createUser,
      "CreateUserPayload",
    );
    for (const email of ["bob@example.com", "nobody-at-all@example.com"]) {
      const result = (await developer.client.setMember({ input: { project: "probe-email", email, role: "VIEWER" } }))
        .setMember;
      expect(result.__typename).toBe("ForbiddenError");
    }
  });
});
