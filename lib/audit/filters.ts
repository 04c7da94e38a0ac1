import type { Prisma } from "@prisma/client";

// The audit page's filters, read from the URL (a plain GET form), shared by the page and the
// CSV export so that the export holds exactly the rows the page lists.

export type AuditFilter = {
  /** Part of the actor's e-mail ("system" and "anonymous" too). */
  who?: string;
  /** An exact action, or "<domain>.*" for all of a domain's. */
  action?: string;
  /** "kind" (run, user …), "kind:id", or an id alone. */
  subject?: string;
  /** YYYY-MM-DD, UTC, inclusive. */
  from?: string;
  to?: string;
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FIELDS = ["who", "action", "subject", "from", "to"] as const;

function validDate(s: string): boolean {
  return (
    DATE.test(s) &&
    !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
    new Date(`${s}T00:00:00Z`).toISOString().startsWith(s)
  );
}

/** Reads the filters from search params; anything unusable is left out and named in `problems`. */
export function parseAuditFilter(params: Record<string, string | string[] | undefined>): {
  filter: AuditFilter;
  problems: string[];
} {
  const filter: AuditFilter = {};
  const problems: string[] = [];
  for (const key of FIELDS) {
    const raw = params[key];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim().slice(0, 200);
    if (value) filter[key] = value;
  }
  for (const key of ["from", "to"] as const) {
    const value = filter[key];
    if (value && !validDate(value)) {
      problems.push(
        `"${value}" is not a date: use YYYY-MM-DD. The ${key === "from" ? "start" : "end"} date is ignored.`,
      );
      delete filter[key];
    }
  }
  if (filter.from && filter.to && filter.from > filter.to) {
    problems.push(`The start date ${filter.from} is after the end date ${filter.to}: swap them to see events.`);
  }
  return { filter, problems };
}

export function auditWhere(f: AuditFilter): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = [];
  if (f.who) and.push({ actorEmail: { contains: f.who } });
  if (f.action) {
    and.push(f.action.endsWith(".*") ? { action: { startsWith: f.action.slice(0, -1) } } : { action: f.action });
  }
  if (f.subject) {
    const colon = f.subject.indexOf(":");
    if (colon > 0) {
      const targetId = f.subject.slice(colon + 1).trim();
      and.push({ targetType: f.subject.slice(0, colon).trim(), ...(targetId ? { targetId } : {}) });
    } else {
      and.push({ OR: [{ targetType: f.subject }, { targetId: f.subject }] });
    }
  }
  if (f.from) and.push({ at: { gte: new Date(`${f.from}T00:00:00Z`) } });
  if (f.to) and.push({ at: { lt: new Date(Date.parse(`${f.to}T00:00:00Z`) + 86_400_000) } });
  return and.length > 0 ? { AND: and } : {};
}

/** The URL of the page (or the export) with these filters, and a page number for the list. */
export function auditHref(base: string, f: AuditFilter, page?: number): string {
  const q = new URLSearchParams();
  for (const key of FIELDS) {
    const value = f[key];
    if (value) q.set(key, value);
  }
  if (page && page > 1) q.set("page", String(page));
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}

export function activeFilterCount(f: AuditFilter): number {
  return FIELDS.filter((k) => f[k]).length;
}
