/**
 * The permission policy as a matrix: every action for every role and token kind, so a
 * change to a rule shows up here as a changed cell.
 */
import { describe, expect, it } from "vitest";
import type { Role, ServicePermission } from "../../core/roles.js";
import {
  assertCan,
  can,
  ENVIRONMENT_ACTIONS,
  type EnvironmentAction,
  PROJECT_ACTIONS,
  type ProjectAccess,
  type ProjectAction,
} from "../../server/authz/index.js";
import { ForbiddenError } from "../../server/services/errors.js";

const project = { id: "p1", slug: "shop", name: "shop", activeKeyVersion: 1 };
const open = { id: "e-dev", name: "development", isProtected: false };
const prod = { id: "e-prod", name: "production", isProtected: true };

const user = (role: Role): ProjectAccess => ({
  actor: { kind: "user", tokenId: "t", userId: "u", isInstanceAdmin: false },
  project,
  role,
});
const service = (permissions: ServicePermission[], environmentIds: string[] | null = null): ProjectAccess => ({
  actor: {
    kind: "service",
    tokenId: "t",
    projectId: project.id,
    permissions: new Set(permissions),
    environmentIds: environmentIds && new Set(environmentIds),
  },
  project,
  role: null,
});

const projectMatrix: Record<ProjectAction, Role[]> = {
  "project:read": ["viewer", "developer", "admin", "owner"],
  "project:delete": ["owner"],
  "environment:manage": ["admin", "owner"],
  "branch:manage": ["admin", "owner"],
  "mapping:manage": ["admin", "owner"],
  "token:manage": ["admin", "owner"],
  "member:read": ["viewer", "developer", "admin", "owner"],
  "member:manage": ["admin", "owner"],
  "member:grant-owner": ["owner"],
  "key:rotate": ["admin", "owner"],
  "webhook:manage": ["admin", "owner"],
  "audit:read": ["admin", "owner"],
  "git:manage": ["admin", "owner"],
};

describe("project actions", () => {
  it.each(PROJECT_ACTIONS)("%s: by role, and never for a service token but project:read", (action) => {
    for (const role of ["viewer", "developer", "admin", "owner"] as const)
      expect(can(user(role), action), `${role} ${action}`).toBe(projectMatrix[action].includes(role));
    expect(can(service(["read", "write", "runtime"]), action)).toBe(action === "project:read");
  });

  it("a refusal names the project and the caller's role", () => {
    expect(() => assertCan(user("developer"), "token:manage")).toThrow(ForbiddenError);
    expect(() => assertCan(user("developer"), "token:manage")).toThrow(
      /admins and owners of project "shop".*your role: developer/,
    );
    expect(() => assertCan(user("admin"), "project:delete")).toThrow(/Only owners of project "shop"/);
    expect(() => assertCan(service(["write"]), "member:manage")).toThrow(/Service tokens cannot manage members/);
  });
});

describe("environment actions", () => {
  const userMatrix: Record<EnvironmentAction, [open: Role[], prod: Role[]]> = {
    "environment:read": [
      ["viewer", "developer", "admin", "owner"],
      ["viewer", "developer", "admin", "owner"],
    ],
    "variable:read-value": [
      ["viewer", "developer", "admin", "owner"],
      ["viewer", "developer", "admin", "owner"],
    ],
    "environment:write": [
      ["developer", "admin", "owner"],
      ["admin", "owner"],
    ],
    "runtime:resolve": [[], []],
  };

  it.each(ENVIRONMENT_ACTIONS)("%s for personal roles, protected or not", (action) => {
    for (const role of ["viewer", "developer", "admin", "owner"] as const) {
      expect(can(user(role), action, open), `${role} ${action} open`).toBe(userMatrix[action][0].includes(role));
      expect(can(user(role), action, prod), `${role} ${action} prod`).toBe(userMatrix[action][1].includes(role));
    }
  });

  it("service tokens: their permission, only in their environments, protection aside", () => {
    const needs: Record<EnvironmentAction, ServicePermission | null> = {
      "environment:read": null,
      "variable:read-value": "read",
      "environment:write": "write",
      "runtime:resolve": "runtime",
    };
    for (const action of ENVIRONMENT_ACTIONS)
      for (const permission of ["read", "write", "runtime"] as const) {
        const expected = needs[action] === null || needs[action] === permission;
        expect(can(service([permission]), action, prod), `${permission} ${action}`).toBe(expected);
        expect(can(service([permission], [prod.id]), action, prod)).toBe(expected);
        expect(can(service([permission], [prod.id]), action, open), `scoped ${permission} ${action}`).toBe(false);
      }
  });

  it("refusals say what is missing and how to get it", () => {
    expect(() => assertCan(user("developer"), "environment:write", prod)).toThrow(
      /is protected: only admins and owners/,
    );
    expect(() => assertCan(user("viewer"), "environment:write", open)).toThrow(
      /read-only\. Ask an admin for the developer role/,
    );
    expect(() => assertCan(service(["read"]), "environment:write", open)).toThrow(/--permission write/);
    expect(() => assertCan(user("owner"), "runtime:resolve", open)).toThrow(/personal tokens cannot use it/);
    expect(() => assertCan(service(["read"]), "runtime:resolve", open)).toThrow(/no runtime permission/);
  });
});
