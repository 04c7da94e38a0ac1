// Roles are ordered: each one may do everything the ones before it may.
export const ROLES = ["viewer", "operator", "approver", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: "reads everything, changes nothing",
  operator: "runs backups, verifications, restores and drills",
  approver: "also signs off monthly tests and approves destructive production steps",
  admin: "also manages users, storage locations, databases and settings",
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function hasRole(actual: Role, needed: Role): boolean {
  return ROLES.indexOf(actual) >= ROLES.indexOf(needed);
}
