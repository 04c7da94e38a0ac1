import { isCopyEnd, skipCopyData } from "./copy-data";
import { z } from "zod";

// What a dump says about roles, read from its SQL (a plain dump, or pg_restore's script of an
// archive) line by line: who owns what, and who may read which table. pg_dump writes each of
// these as one line starting the statement (ALTER … OWNER TO, GRANT … ON TABLE … TO, CREATE
// POLICY … TO), outside COPY data. The restore needs every one of these roles on the target
// server, and afterwards each of them must be able to read what it could read before.

export const aclFactsSchema = z.object({
  /** Every role the dump names (owners, grantees, policy roles), without PUBLIC. */
  roles: z.array(z.string()),
  /** Roles that own objects: the restoring role must be able to act as each (membership). */
  owners: z.array(z.string()),
  /**
   * (role, table) pairs the role could read: SELECT granted, or the table's owner. `usage`: the
   * dump also grants the role USAGE on the table's schema, so that must hold after the restore too
   * (without such a grant the schema's access is whatever the server gives, e.g. PUBLIC on public).
   */
  reads: z.array(z.object({ role: z.string(), table: z.string(), usage: z.boolean().optional() })),
  /** More pairs than kept (the check covers the first MAX_READS). */
  readsDropped: z.number().int().nonnegative(),
});
export type AclFacts = z.infer<typeof aclFactsSchema>;

const MAX_READS = 20_000;

/** A role as pg_dump writes it: a bare lower-case name, or a "quoted ""name""". */
const ROLE = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const ROLE_LIST = String.raw`${ROLE}(?:\s*,\s*${ROLE})*`;

function unquoteRole(token: string): string | null {
  const t = token.trim();
  if (t.startsWith('"')) return t.slice(1, -1).replace(/""/g, '"');
  // Unquoted PUBLIC is every role, not a role; pg_dump quotes a role really named "public".
  if (/^public$/i.test(t)) return null;
  return t.toLowerCase();
}

function roles(list: string): string[] {
  const out: string[] = [];
  for (const m of list.matchAll(new RegExp(ROLE, "g"))) {
    const r = unquoteRole(m[0]);
    if (r !== null) out.push(r);
  }
  return out;
}

const OWNER = new RegExp(String.raw`^ALTER (?:[A-Z]+ )+(.+) OWNER TO (${ROLE});\r?$`);
const TABLE_OWNER = new RegExp(String.raw`^ALTER TABLE (?:ONLY )?(.+) OWNER TO (${ROLE});\r?$`);
const GRANT = new RegExp(
  String.raw`^(GRANT|REVOKE) (.+?) ON (?:(TABLE) )?(.+?) (?:TO|FROM) (${ROLE_LIST})(?: WITH GRANT OPTION)?(?: GRANTED BY ${ROLE})?;\r?$`,
);
const POLICY = new RegExp(String.raw`^CREATE POLICY .* TO (${ROLE_LIST})(?: USING | WITH CHECK |;)`);
const DEFAULT_PRIVS = new RegExp(String.raw`^ALTER DEFAULT PRIVILEGES FOR ROLE (${ROLE})`);

/** The schema part of a qualified name as pg_dump writes it (`"Sales"."Order Items"` → `"Sales"`). */
export function schemaOf(qualified: string): string | null {
  let inQuote = false;
  for (let i = 0; i < qualified.length; i++) {
    const c = qualified[i];
    if (c === '"') inQuote = !inQuote;
    else if (c === "." && !inQuote) return qualified.slice(0, i);
  }
  return null;
}

export class AclCollector {
  private readonly roleSet = new Set<string>();
  private readonly ownerSet = new Set<string>();
  private readonly readSet = new Set<string>();
  private readonly readList: { role: string; table: string }[] = [];
  private readonly schemaUsage = new Set<string>();
  private dropped = 0;
  /** Inside a COPY block's data (its lines are data, never statements). */
  inCopy = false;

  private addRead(role: string, table: string) {
    const k = JSON.stringify([role, table]);
    if (this.readSet.has(k)) return;
    this.readSet.add(k);
    if (this.readList.length >= MAX_READS) {
      this.dropped++;
      return;
    }
    this.readList.push({ role, table });
  }

  /** One line of the script, without its "\n". */
  push(line: string) {
    if (this.inCopy) {
      if (line === "\\." || line === "\\.\r") this.inCopy = false;
      return;
    }
    if (/^COPY .* FROM stdin;\r?$/.test(line)) {
      this.inCopy = true;
      return;
    }
    const c = line.charCodeAt(0);
    // Only statements starting with A, C, G or R matter: a cheap test first.
    if (c !== 65 && c !== 67 && c !== 71 && c !== 82) return;
    let m: RegExpExecArray | null;
    if ((m = OWNER.exec(line))) {
      const owner = unquoteRole(m[2] ?? "");
      if (owner === null) return;
      this.roleSet.add(owner);
      this.ownerSet.add(owner);
      const t = TABLE_OWNER.exec(line);
      if (t?.[1]) this.addRead(owner, t[1]);
      return;
    }
    if ((m = GRANT.exec(line))) {
      const grantees = roles(m[5] ?? "");
      for (const r of grantees) this.roleSet.add(r);
      const privileges = (m[2] ?? "").split(",").map((p) => p.trim());
      const schema = /^SCHEMA (.+)$/.exec(m[4] ?? "")?.[1];
      if (m[1] === "GRANT" && m[3] === undefined && schema && privileges.some((p) => p === "USAGE" || p === "ALL")) {
        for (const r of grantees) this.schemaUsage.add(JSON.stringify([r, schema]));
      }
      // Table-wide SELECT only: a column grant ("SELECT(a)") does not let the role read the table.
      if (m[1] === "GRANT" && m[3] === "TABLE" && privileges.some((p) => p === "SELECT" || p === "ALL")) {
        for (const r of grantees) this.addRead(r, m[4] ?? "");
      }
      return;
    }
    if ((m = POLICY.exec(line))) {
      for (const r of roles(m[1] ?? "")) this.roleSet.add(r);
      return;
    }
    if ((m = DEFAULT_PRIVS.exec(line))) {
      const r = unquoteRole(m[1] ?? "");
      if (r !== null) this.roleSet.add(r);
    }
  }

  result(): AclFacts {
    return {
      roles: [...this.roleSet].sort(),
      owners: [...this.ownerSet].sort(),
      reads: this.readList.map((r) => {
        const schema = schemaOf(r.table);
        return schema !== null && this.schemaUsage.has(JSON.stringify([r.role, schema])) ? { ...r, usage: true } : r;
      }),
      readsDropped: this.dropped,
    };
  }
}

/** Splits a byte stream into latin1 lines for AclCollector (a Writable's write callback). */
export function aclLineSink(collector: AclCollector) {
  let partial: Buffer = Buffer.alloc(0);
  // Most of a dump is COPY data: those lines are only compared with the end marker, never
  // decoded, and skipped with native searches (decoding every line cost seconds, and handling
  // each in JavaScript still cost more than pg_restore's decompression).
  const line = (bytes: Buffer) => {
    if (collector.inCopy) {
      if (isCopyEnd(bytes)) collector.push(bytes.toString("latin1"));
      return;
    }
    collector.push(bytes.toString("utf8"));
  };
  return {
    write(chunk: Buffer) {
      let from = 0;
      for (;;) {
        if (collector.inCopy && partial.length === 0) {
          const skip = skipCopyData(chunk, from, false);
          from = skip.next;
          if (!skip.found) break;
        }
        const nl = chunk.indexOf(0x0a, from);
        if (nl < 0) break;
        const piece = chunk.subarray(from, nl);
        if (partial.length > 0) {
          line(Buffer.concat([partial, piece]));
          partial = Buffer.alloc(0);
        } else line(piece);
        from = nl + 1;
      }
      if (from < chunk.length)
        partial =
          partial.length > 0 ? Buffer.concat([partial, chunk.subarray(from)]) : Buffer.from(chunk.subarray(from));
    },
    end() {
      if (partial.length > 0) line(partial);
      partial = Buffer.alloc(0);
    },
  };
}
