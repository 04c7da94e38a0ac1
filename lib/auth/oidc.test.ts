import { describe, expect, test } from "vitest";
import { checkOidcProfile, decideOidcLink } from "./oidc";

const verified = { sub: "sub-1", email: "Ana@Example.org", email_verified: true, name: "Ana" };

describe("checkOidcProfile", () => {
  test("a verified e-mail signs in, lower-cased, with its subject", () => {
    expect(checkOidcProfile(verified, [])).toEqual({ ok: true, sub: "sub-1", email: "ana@example.org", name: "Ana" });
  });

  test.each([
    [{ ...verified, email_verified: false }, "OidcEmailUnverified"],
    [{ ...verified, email_verified: undefined }, "OidcEmailUnverified"],
    [{ ...verified, email_verified: "false" }, "OidcEmailUnverified"],
    [{ ...verified, email_verified: 1 }, "OidcEmailUnverified"],
    [{ ...verified, email: undefined }, "OidcNoEmail"],
    [{ ...verified, email: "  " }, "OidcNoEmail"],
    [{ ...verified, email: "not-an-address" }, "OidcNoEmail"],
    [{ ...verified, email: "ana@example.org@evil.test" }, "OidcNoEmail"],
    [{ ...verified, sub: undefined }, "OidcNoSubject"],
    [{ ...verified, sub: "" }, "OidcNoSubject"],
    [undefined, "OidcNoSubject"],
  ])("refused: %j → %s", (profile, error) => {
    expect(checkOidcProfile(profile, [])).toEqual({ ok: false, error });
  });

  test('the string "true" some providers send counts as verified', () => {
    expect(checkOidcProfile({ ...verified, email_verified: "true" }, []).ok).toBe(true);
  });

  test.each([
    ["ana@example.org", ["example.org"], true],
    ["ana@EXAMPLE.org", ["Example.ORG "], true],
    ["ana@example.org", ["other.org", "example.org"], true],
    ["ana@sub.example.org", ["example.org"], false],
    ["ana@example.org.evil.test", ["example.org"], false],
    ["ana@evilexample.org", ["example.org"], false],
    ["ana@evil.test", [], true],
  ])("%s with allowed domains %j: %s", (email, domains, ok) => {
    const result = checkOidcProfile({ ...verified, email }, domains);
    expect(result).toEqual(ok ? expect.objectContaining({ ok: true }) : { ok: false, error: "OidcDomainNotAllowed" });
    expect(result.ok).toBe(ok);
  });
});

describe("allowed groups", () => {
  test.each([
    [{ groups: ["dba", "lifeboat-users"] }, ["lifeboat-users"], true],
    [{ groups: "lifeboat-users" }, ["lifeboat-users", "dba"], true],
    [{ groups: ["other"] }, ["lifeboat-users"], false],
    [{ groups: [] }, ["lifeboat-users"], false],
    [{}, ["lifeboat-users"], false],
    [{ groups: ["Lifeboat-Users"] }, ["lifeboat-users"], false],
    [{ groups: ["lifeboat-users-old"] }, ["lifeboat-users"], false],
    [{ groups: [{ name: "lifeboat-users" }] }, ["lifeboat-users"], false],
    [{ groups: "lifeboat-users,dba" }, ["dba"], false],
    [{}, [], true],
    [{ groups: ["anything"] }, [" ", ""], true],
  ])("claims %j with allowed groups %j: %s", (claims, groups, ok) => {
    const result = checkOidcProfile({ ...verified, ...claims }, [], groups);
    expect(result).toEqual(ok ? expect.objectContaining({ ok: true }) : { ok: false, error: "OidcGroupNotAllowed" });
  });

  test("groups are checked after the e-mail: an unverified e-mail in an allowed group is still refused", () => {
    expect(checkOidcProfile({ ...verified, email_verified: false, groups: ["dba"] }, [], ["dba"])).toEqual({
      ok: false,
      error: "OidcEmailUnverified",
    });
  });
});

describe("decideOidcLink", () => {
  const user = (id: string, oidcSubject: string | null) => ({ id, oidcSubject });

  test("the subject finds the user, even when the e-mail now belongs to someone else", () => {
    expect(decideOidcLink({ sub: "s", bySubject: user("u1", "s"), byEmail: user("u2", null) })).toEqual({
      kind: "existing",
      userId: "u1",
    });
  });

  test("a user with this e-mail and no subject yet is linked once", () => {
    expect(decideOidcLink({ sub: "s", bySubject: null, byEmail: user("u2", null) })).toEqual({
      kind: "link",
      userId: "u2",
    });
  });

  test("a user with this e-mail linked to another subject is refused, not taken over", () => {
    expect(decideOidcLink({ sub: "s", bySubject: null, byEmail: user("u2", "other") })).toEqual({
      kind: "refuse",
      error: "OidcAccountConflict",
    });
  });

  test("nobody with this subject or e-mail: a new user", () => {
    expect(decideOidcLink({ sub: "s", bySubject: null, byEmail: null })).toEqual({ kind: "create" });
  });
});
