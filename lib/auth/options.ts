import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { db } from "@/lib/db";
import { env, oidcEnabled } from "@/lib/env";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { checkOidcProfile, decideOidcLink } from "@/lib/auth/oidc";
import { hashPassword, needsRehash, SCRYPT_PARAMS, verifyPassword } from "@/lib/auth/password";
import { recordAudit } from "@/lib/audit/record";
import { clientAddress, reserveSignInAttempt, signInSucceeded } from "@/lib/auth/throttle";

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  password: z.string().min(1).max(1024),
});

// Runs the hash check even for unknown e-mails, at today's cost, so timing does not reveal which exist.
const DUMMY_HASH = `scrypt$${SCRYPT_PARAMS.N}$${SCRYPT_PARAMS.r}$${SCRYPT_PARAMS.p}$${"A".repeat(22)}==$${"A".repeat(86)}==`;

export async function authorizeCredentials(raw: unknown, ip: string) {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  const gate = await reserveSignInAttempt(email, ip);
  if (!gate.allowed) {
    await recordAudit(null, {
      action: "auth.sign_in_locked",
      targetType: "user",
      targetId: email,
      detail: { limitedBy: gate.limitedBy, ip },
    });
    return null;
  }
  const user = await db.user.findUnique({ where: { email }, omit: { passwordHash: false } });
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok || user.disabled) {
    await recordAudit(null, {
      action: "auth.sign_in_failed",
      targetType: "user",
      targetId: email,
      detail: { reason: !user ? "unknown email" : user.disabled ? "disabled" : "wrong password", ip },
    });
    return null;
  }
  await signInSucceeded(email, ip);
  // A hash made with older, cheaper parameters is replaced now that the password is known.
  // The same password: the user's other sessions stay.
  const rehashed = needsRehash(user.passwordHash) ? { passwordHash: await hashPassword(password) } : {};
  await db.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date(), ...rehashed } });
  await recordAudit(
    { id: user.id, email: user.email },
    {
      action: "auth.sign_in",
      targetType: "user",
      targetId: user.id,
      detail: "passwordHash" in rehashed ? { passwordRehashed: true } : {},
    },
  );
  return { id: user.id, email: user.email, name: user.name };
}

function oidcProvider(): NextAuthOptions["providers"] {
  if (!oidcEnabled()) return [];
  const e = env();
  return [
    {
      id: "oidc",
      name: e.OIDC_NAME,
      type: "oauth",
      wellKnown: `${e.OIDC_ISSUER!.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      profile(profile: { sub: string; email?: string; name?: string }) {
        return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.email ?? profile.sub };
      },
    },
  ];
}

export function secureCookies(): boolean {
  return env().NEXTAUTH_URL?.startsWith("https:") ?? false;
}

export function authOptions(): NextAuthOptions {
  return {
    secret: env().NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    // Secure (and __Secure-/__Host- prefixed) cookies whenever the console's URL is https, said
    // here rather than left to next-auth's guess from the request.
    useSecureCookies: secureCookies(),
    pages: { signIn: "/sign-in", error: "/sign-in" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: (raw, req) => authorizeCredentials(raw, clientAddress(req.headers)),
      }),
      ...oidcProvider(),
    ],
    callbacks: {
      // The sign-in page's check, so next-auth follows exactly the callbacks the page accepts.
      redirect({ url, baseUrl }) {
        return new URL(safeCallbackUrl(url, baseUrl), baseUrl).toString();
      },
      async signIn({ account, profile }) {
        if (account?.provider !== "oidc") return true;
        const checked = checkOidcProfile(
          profile as Record<string, unknown> | undefined,
          env().OIDC_ALLOWED_DOMAINS,
          env().OIDC_ALLOWED_GROUPS,
        );
        if (!checked.ok) {
          await recordAudit(null, {
            action: "auth.sign_in_failed",
            targetType: "user",
            targetId: typeof profile?.email === "string" ? profile.email : null,
            detail: { provider: "oidc", reason: checked.error },
          });
          return `/sign-in?error=${checked.error}`;
        }
        const { sub, email, name } = checked;
        const select = { id: true, oidcSubject: true, disabled: true } as const;
        const bySubject = await db.user.findUnique({ where: { oidcSubject: sub }, select });
        const byEmail = bySubject ? null : await db.user.findUnique({ where: { email }, select });
        const decision = decideOidcLink({ sub, bySubject, byEmail });
        if (decision.kind === "refuse") {
          await recordAudit(null, {
            action: "auth.sign_in_failed",
            targetType: "user",
            targetId: email,
            detail: { provider: "oidc", reason: decision.error },
          });
          return `/sign-in?error=${decision.error}`;
        }
        if ((bySubject ?? byEmail)?.disabled) return "/sign-in?error=AccountDisabled";
        const saved =
          decision.kind === "create"
            ? await db.user.create({ data: { email, name, role: env().OIDC_DEFAULT_ROLE, oidcSubject: sub } })
            : await db.user.update({
                where: { id: decision.userId },
                data: decision.kind === "link" ? { oidcSubject: sub } : {},
              });
        await db.user.update({ where: { id: saved.id }, data: { lastSignInAt: new Date() } });
        await recordAudit(
          { id: saved.id, email: saved.email },
          {
            action: "auth.sign_in",
            targetType: "user",
            targetId: saved.id,
            detail: { provider: "oidc", linked: decision.kind === "link" },
          },
        );
        return true;
      },
      async jwt({ token, user, account }) {
        if (!user) return token;
        // The session belongs to the user found by subject in signIn, never to whoever has the e-mail.
        const saved =
          account?.provider === "oidc"
            ? await db.user.findUnique({ where: { oidcSubject: account.providerAccountId } })
            : await db.user.findUnique({ where: { id: user.id } });
        token.sub = saved?.id;
        // Checked against the user's current version on every request (lib/auth/session.ts).
        token.sv = saved?.sessionVersion;
        return token;
      },
      async session({ session, token }) {
        // Only the id and the session version travel; role and name are read from the database
        // on every request.
        return { ...session, user: { ...session.user, id: token.sub, sv: token.sv } };
      },
    },
  };
}
