// Rules for single sign-on, pure so they are tested without an identity provider.

export type OidcError =
  | "OidcNoSubject"
  | "OidcNoEmail"
  | "OidcEmailUnverified"
  | "OidcDomainNotAllowed"
  | "OidcGroupNotAllowed"
  | "OidcAccountConflict";

export type OidcIdentity = { sub: string; email: string; name: string };

/**
 * The provider's `groups` claim: a list of names (most providers), or one name as a string.
 * Anything else (missing, numbers, objects) counts as no groups.
 */
export function oidcGroups(profile: Record<string, unknown> | undefined): string[] {
  const claim = profile?.groups;
  const list = Array.isArray(claim) ? claim : typeof claim === "string" ? [claim] : [];
  return list.filter((g): g is string => typeof g === "string" && g !== "");
}

/**
 * Accepts the provider's claims only with a subject and a verified e-mail in an allowed domain
 * (none configured: any), and, when groups are configured, with at least one of them in the
 * `groups` claim (exact, case-sensitive: group names are identifiers at most providers). An
 * unverified e-mail is anyone's claim and must not reach an account.
 */
export function checkOidcProfile(
  profile: Record<string, unknown> | undefined,
  allowedDomains: readonly string[],
  allowedGroups: readonly string[] = [],
): ({ ok: true } & OidcIdentity) | { ok: false; error: OidcError } {
  const sub = profile?.sub;
  if (typeof sub !== "string" || sub === "") return { ok: false, error: "OidcNoSubject" };
  const email = typeof profile?.email === "string" ? profile.email.trim().toLowerCase() : "";
  const at = email.indexOf("@");
  if (at < 1 || at !== email.lastIndexOf("@") || at === email.length - 1) return { ok: false, error: "OidcNoEmail" };
  // Some providers send the claim as the string "true".
  const verified = profile?.email_verified === true || profile?.email_verified === "true";
  if (!verified) return { ok: false, error: "OidcEmailUnverified" };
  const domain = email.slice(at + 1);
  const allowed = allowedDomains.map((d) => d.trim().toLowerCase()).filter(Boolean);
  if (allowed.length > 0 && !allowed.includes(domain)) return { ok: false, error: "OidcDomainNotAllowed" };
  const groups = allowedGroups.map((g) => g.trim()).filter(Boolean);
  if (groups.length > 0 && !oidcGroups(profile).some((g) => groups.includes(g))) {
    return { ok: false, error: "OidcGroupNotAllowed" };
  }
  const name = typeof profile?.name === "string" && profile.name.trim() ? profile.name.trim() : email;
  return { ok: true, sub, email, name };
}

type Candidate = { id: string; oidcSubject: string | null };

export type OidcLink =
  | { kind: "existing"; userId: string }
  | { kind: "link"; userId: string }
  | { kind: "create" }
  | { kind: "refuse"; error: OidcError };

/**
 * Accounts are found by the provider's subject, which never changes or passes to someone else.
 * The e-mail is used once, to link an existing user who has no subject yet (created by an admin
 * or before subjects were stored); a user already linked to another subject is never taken over.
 */
export function decideOidcLink(input: {
  sub: string;
  bySubject: Candidate | null;
  byEmail: Candidate | null;
}): OidcLink {
  if (input.bySubject) return { kind: "existing", userId: input.bySubject.id };
  if (!input.byEmail) return { kind: "create" };
  if (input.byEmail.oidcSubject === null) return { kind: "link", userId: input.byEmail.id };
  return { kind: "refuse", error: "OidcAccountConflict" };
}
