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
