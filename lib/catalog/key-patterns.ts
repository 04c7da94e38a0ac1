import { globToRegExp } from "@/lib/backups/parse-key";

// Which database a catalogued key belongs to, and what a database's key patterns would match
// before they are saved. Pure: the sync, the re-assignment on save and the form's live preview
// all use these, so the three cannot disagree.

export type PatternSource = { databaseId: string; patterns: string };

/** The key as patterns see it: relative to the location's prefix. */
export function relativeKey(key: string, prefix: string): string {
  return prefix && key.startsWith(prefix) ? key.slice(prefix.length).replace(/^\/+/, "") : key;
}

export function splitPatterns(patterns: string): string[] {
  return patterns
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter(Boolean);
}

// A sync asks for every key of a location with the same few pattern lists: each list is compiled
// once, not once a key. Bounded, as pattern lists change when databases are edited.
const compiled = new Map<string, RegExp[]>();
function regexesOf(patterns: string): RegExp[] {
  let list = compiled.get(patterns);
  if (!list) {
    if (compiled.size >= 500) compiled.clear();
    list = splitPatterns(patterns).map((p) => globToRegExp(p));
    compiled.set(patterns, list);
  }
  return list;
}

/** The first source whose patterns match wins (sources in their stored order). */
export function databaseForKey(key: string, prefix: string, sources: PatternSource[]): string | null {
  const relative = relativeKey(key, prefix);
  for (const s of sources) {
    if (regexesOf(s.patterns).some((re) => re.test(relative))) return s.databaseId;
  }
  return null;
}

export type PatternPreview = {
  /** Catalogued keys in the location (the denominator). */
  total: number;
  /** Keys matched by at least one of the patterns. */
  matched: number;
  /** The first matching keys, relative to the prefix, sorted. */
  examples: string[];
  /** Per pattern, how many keys it matches and, when none, a pattern that would. */
  patterns: { pattern: string; matched: number; suggestion: { pattern: string; matched: number } | null }[];
  /** A few keys of the location, to compare with when nothing matches. */
  sampleKeys: string[];
  /** Matched keys another database's patterns in this location match too (a backup has one database). */
  overlaps: { database: string; count: number }[];
};

/**
 * What `patterns` would match among a location's catalogued keys. A pattern that matches
 * nothing while the keys sit in folders gets a `**` + `/` suggestion when that one matches.
 */
export function previewPatterns(
  keys: string[],
  prefix: string,
  patterns: string,
  limit = 5,
  others: { database: string; patterns: string }[] = [],
): PatternPreview {
  const relative = keys.map((k) => relativeKey(k, prefix)).sort();
  const list = splitPatterns(patterns);
  const regexes = list.map((p) => globToRegExp(p));
  const counts = list.map(() => 0);
  const examples: string[] = [];
  const otherRegexes = others.map((o) => ({
    database: o.database,
    regexes: splitPatterns(o.patterns).map((p) => globToRegExp(p)),
  }));
  const overlaps = new Map<string, number>();
  let matched = 0;
  for (const key of relative) {
    let any = false;
    regexes.forEach((re, i) => {
      if (re.test(key)) {
        counts[i]!++;
        any = true;
      }
    });
    if (any) {
      for (const o of otherRegexes)
        if (o.regexes.some((re) => re.test(key))) overlaps.set(o.database, (overlaps.get(o.database) ?? 0) + 1);
      matched++;
      if (examples.length < limit) examples.push(key);
    }
  }
  const inFolders = relative.some((k) => k.includes("/"));
  return {
    total: relative.length,
    matched,
    examples,
    patterns: list.map((pattern, i) => {
      const count = counts[i]!;
      let suggestion: PatternPreview["patterns"][number]["suggestion"] = null;
      if (count === 0 && inFolders && !pattern.startsWith("**")) {
        const candidate = `**/${pattern.replace(/^\/+/, "")}`;
        const re = globToRegExp(candidate);
        const n = relative.filter((k) => re.test(k)).length;
        if (n > 0) suggestion = { pattern: candidate, matched: n };
      }
      return { pattern, matched: count, suggestion };
    }),
    sampleKeys: matched === 0 ? relative.slice(0, limit) : [],
    overlaps: [...overlaps].map(([database, count]) => ({ database, count })),
  };
}
