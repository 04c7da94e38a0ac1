// npm run db:seed — creates the first admin from LIFEBOAT_ADMIN_EMAIL / LIFEBOAT_ADMIN_PASSWORD
// when that user does not exist yet. (The console does the same at start-up.)
import { createPrismaClient } from "./client";
import { ensureAdmin } from "./bootstrap";
import { DEFAULT_DATABASE_URL } from "./sqlite-path";

async function main() {
  const email = process.env.LIFEBOAT_ADMIN_EMAIL;
  const password = process.env.LIFEBOAT_ADMIN_PASSWORD;
  if (!email || !password) {
    console.error("Set LIFEBOAT_ADMIN_EMAIL and LIFEBOAT_ADMIN_PASSWORD (12+ characters) to create the first admin.");
    process.exit(2);
  }
  const prisma = createPrismaClient(process.env.LIFEBOAT_DATABASE_URL ?? DEFAULT_DATABASE_URL);
  const result = await ensureAdmin(prisma, { email, password, name: "Administrator" });
  console.log(result === "created" ? `Created admin ${email}.` : `Admin ${email} already exists; left as it is.`);
  await prisma.$disconnect();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
