/**
 * Who may do what. Personal tokens act with the user's role in the project; service tokens
 * carry their own permissions for a set of environments of one project.
 */
export const ROLES = ["viewer", "developer", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];
export const SERVICE_PERMISSIONS = ["read", "write", "runtime"] as const;
export type ServicePermission = (typeof SERVICE_PERMISSIONS)[number];

export function roleAtLeast(role: Role | null | undefined, needed: Role): boolean {
  return role != null && ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** A personal role may write an environment: developers only unprotected ones, admins and owners all. */
export function roleCanWrite(role: Role | null | undefined, environment: { isProtected: boolean }): boolean {
  return environment.isProtected ? roleAtLeast(role, "admin") : roleAtLeast(role, "developer");
}
