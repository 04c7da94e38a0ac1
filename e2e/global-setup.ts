import { startServices } from "../tests/support/global-setup";

// The specs talk to the real test servers (S3, PostgreSQL): npm run test:all starts them and
// exports services.env; a bare `npm run test:e2e` starts its own here and stops them after.
export default async function globalSetup() {
  if (process.env.TEST_S3_ENDPOINT) return;
  const stop = await startServices();
  return stop;
}
