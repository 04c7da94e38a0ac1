// The accounts e2e/seed-users.ts creates in the e2e server's fresh database.
export const E2E_PASSWORD = "e2e-password-not-secret";
export const E2E_USERS = {
  admin: { email: "admin@e2e.test", name: "E2E Admin", role: "admin" },
  operator: { email: "operator@e2e.test", name: "E2E Operator", role: "operator" },
  approver: { email: "approver@e2e.test", name: "E2E Approver", role: "approver" },
  viewer: { email: "viewer@e2e.test", name: "E2E Viewer", role: "viewer" },
} as const;
export type E2eRole = keyof typeof E2E_USERS;
export const storageStatePath = (role: E2eRole) => `test-results/.auth/${role}.json`;
