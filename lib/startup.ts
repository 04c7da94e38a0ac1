import { env, EnvError, type Env } from "@/lib/env";
import { createPrismaClient } from "@/prisma/client";
import { ensureAdmin } from "@/prisma/bootstrap";

// Imported once by instrumentation.ts when the Node server starts.

function checkedEnv(): Env {
  try {
    return env();
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

async function bootstrapAdmin(e: Env) {
  if (!e.LIFEBOAT_ADMIN_EMAIL || !e.LIFEBOAT_ADMIN_PASSWORD) return;
  const prisma = createPrismaClient(e.LIFEBOAT_DATABASE_URL);
  try {
    const result = await ensureAdmin(prisma, { email: e.LIFEBOAT_ADMIN_EMAIL, password: e.LIFEBOAT_ADMIN_PASSWORD, name: "Administrator" });
    if (result === "created") console.log(`[lifeboat] created the first admin ${e.LIFEBOAT_ADMIN_EMAIL}`);
  } finally {
    await prisma.$disconnect();
  }
}

const e = checkedEnv();
await bootstrapAdmin(e);
const { startBackgroundWork } = await import("@/lib/catalog/scheduler");
await startBackgroundWork(e.LIFEBOAT_SYNC_INTERVAL_MINUTES);
