import { execa } from "execa";

// Stops the sandbox PostgreSQL that scripts/e2e-server.sh started through the demo set-up.
export default async function teardown() {
  await execa("bash", ["scripts/demo-postgres.sh", "stop", process.env.E2E_DATA_DIR!], {
    reject: false,
    stdio: "inherit",
  });
}
