// Seeds the demo's own database: the demo admin (password from data/demo/secrets.env)
// and a few colleagues so that roles can be tried. Safe to run on every start.
import { createPrismaClient } from "../prisma/client";
import { ensureAdmin } from "../prisma/bootstrap";
import { hashPassword } from "../lib/auth/password";

async function main() {
  const url = process.env.LIFEBOAT_DATABASE_URL;
  const password = process.env.DEMO_ADMIN_PASSWORD;
  if (!url || !password) throw new Error("run through npm run demo (LIFEBOAT_DATABASE_URL and DEMO_ADMIN_PASSWORD are unset)");
  const prisma = createPrismaClient(url);
  await ensureAdmin(prisma, { email: "admin@lifeboat.demo", password, name: "Demo Admin", resetPassword: true });
  const colleagues = [
    { email: "oncall@lifeboat.demo", name: "Olu On-call", role: "operator" },
    { email: "approver@lifeboat.demo", name: "Amani Approver", role: "approver" },
    { email: "auditor@lifeboat.demo", name: "Ada Auditor", role: "viewer" },
  ];
  for (const c of colleagues) {
    const exists = await prisma.user.findUnique({ where: { email: c.email } });
    // Colleagues share the admin's demo password so every role can be tried.
    if (!exists) await prisma.user.create({ data: { ...c, passwordHash: await hashPassword(password) } });
  }
  await prisma.$disconnect();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
