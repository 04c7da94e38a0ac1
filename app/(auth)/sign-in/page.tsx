import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Logo } from "@/components/logo";
import { FALLBACK_ORIGIN, safeCallbackUrl } from "@/lib/auth/callback-url";
import { getCurrentUser } from "@/lib/auth/session";
import { env, oidcEnabled } from "@/lib/env";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

const ERRORS: Record<string, string> = {
  OidcNoEmail: "Your single sign-on account has no e-mail address. Ask your identity admin to release the email claim.",
  OidcNoSubject:
    "Your single sign-on provider sent no account identifier (sub). Ask your identity admin to check the client's settings.",
  OidcEmailUnverified:
    "Your single sign-on e-mail address is not verified. Verify it with your identity provider, then sign in again.",
  OidcDomainNotAllowed:
    "Your e-mail domain is not allowed to sign in to Lifeboat. Use your work account, or ask a Lifeboat admin to add the domain (OIDC_ALLOWED_DOMAINS).",
  OidcGroupNotAllowed:
    "Your single sign-on account is in none of the groups allowed to use Lifeboat. Ask your identity admin to add you to one, or a Lifeboat admin which groups are allowed (OIDC_ALLOWED_GROUPS).",
  OidcAccountConflict:
    "This e-mail address belongs to a Lifeboat user linked to another single sign-on account. Ask a Lifeboat admin to check the user.",
  AccountDisabled: "This account is disabled. Ask a Lifeboat admin to enable it.",
  OAuthCallback: "Single sign-on did not complete. Try again; if it keeps failing, sign in with e-mail and password.",
  SessionRequired: "Sign in to continue.",
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; callbackUrl?: string }>;
}) {
  if (await getCurrentUser()) redirect("/");
  const { error, callbackUrl } = await searchParams;
  const safeCallback = safeCallbackUrl(callbackUrl, env().NEXTAUTH_URL ?? FALLBACK_ORIGIN);
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <div className="text-2xl font-semibold tracking-tight">
            <Logo className="mr-1.5 inline-block h-6 w-6 align-[-5px]" />
            Lifeboat
          </div>
          <p className="mt-1 text-sm text-slate-600">Backup and disaster recovery console</p>
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <h1 className="mb-4 text-lg font-semibold">Sign in</h1>
          <SignInForm
            callbackUrl={safeCallback}
            initialError={error ? (ERRORS[error] ?? "Sign-in failed. Try again.") : null}
            oidcName={oidcEnabled() ? env().OIDC_NAME : null}
          />
        </div>
      </div>
    </main>
  );
}
