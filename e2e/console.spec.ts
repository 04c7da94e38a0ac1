import { expect, test } from "./fixtures";
import { E2E_PASSWORD, storageStatePath } from "./users";

test.use({ storageState: storageStatePath("admin") });

const AREAS = ["Dashboard", "Backups", "Restore", "Runbooks", "Monthly tests", "Drills", "Settings", "Audit"];

test("every area in the navigation opens, and unbuilt ones say so plainly", async ({ page }) => {
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "Main" }).filter({ visible: true });
  for (const area of AREAS) {
    await nav.getByRole("link", { name: area, exact: true }).click();
    // Wait for the new page itself, not the previous one (each area's heading is its name).
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(area);
    const notBuilt = page.getByTestId("not-built");
    if (await notBuilt.count()) {
      await expect(notBuilt).toContainText("Not built yet");
      // An unbuilt page links to nothing.
      await expect(notBuilt.getByRole("link")).toHaveCount(0);
    }
  }
});

test("an admin adds a user, the form explains bad input, and the new user can sign in", async ({ page, browser }) => {
  await page.goto("/settings/users");
  const form = page.locator("form").filter({ hasText: "Initial password" });
  await form.getByLabel("E-mail").fill("not-an-email");
  await form.getByLabel("Name").fill("Nia New");
  await form.getByLabel("Initial password").fill("short");
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("add-user-error")).toContainText("Some fields are not valid");
  await expect(form.getByText("Enter a valid e-mail address")).toBeVisible();
  await expect(form.getByText("Use at least 12 characters")).toBeVisible();

  await form.getByLabel("E-mail").fill("Nia.New@E2E.test");
  await form.getByLabel("Role").selectOption("operator");
  await form.getByLabel("Initial password").fill(E2E_PASSWORD);
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByText("Added Nia.New@E2E.test")).toBeVisible();
  await expect(page.getByRole("cell", { name: /nia\.new@e2e\.test/ })).toBeVisible();

  const fresh = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const other = await fresh.newPage();
  await other.goto("/sign-in");
  await other.getByLabel("E-mail").fill("nia.new@e2e.test");
  await other.getByLabel("Password").fill(E2E_PASSWORD);
  await other.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(other.getByText("Signed in as Nia New (operator).")).toBeVisible();
  await fresh.close();

  // The same e-mail twice is refused with a message that says what to do.
  await form.getByLabel("E-mail").fill("nia.new@e2e.test");
  await form.getByLabel("Name").fill("Nia Again");
  await form.getByLabel("Initial password").fill(E2E_PASSWORD);
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("add-user-error")).toContainText("already exists");
});
