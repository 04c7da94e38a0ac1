import { createPrismaClient } from "../prisma/client";
import { hashPassword } from "../lib/auth/password";
import { E2E_PASSWORD, E2E_USERS } from "./users";

async function main() {
  const prisma = createPrismaClient(process.env.LIFEBOAT_DATABASE_URL!);
  const passwordHash = await hashPassword(E2E_PASSWORD);
  for (const u of Object.values(E2E_USERS)) {
    await prisma.user.upsert({ where: { email: u.email }, update: {}, create: { ...u, passwordHash } });
  }
  await prisma.$disconnect();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
