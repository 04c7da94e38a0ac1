import { expect, test as setup } from "@playwright/test";
import { E2E_PASSWORD, E2E_USERS, storageStatePath, type E2eRole } from "./users";

// Signs in once per role through the real form; specs reuse the cookies.
for (const role of Object.keys(E2E_USERS) as E2eRole[]) {
  setup(`sign in as ${role}`, async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("E-mail").fill(E2E_USERS[role].email);
    await page.getByLabel("Password").fill(E2E_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
    await page.context().storageState({ path: storageStatePath(role) });
  });
}
