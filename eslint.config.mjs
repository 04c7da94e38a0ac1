import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// Layering: lib/ never reaches into app/; the infrastructure folders (storage drivers, the
// PostgreSQL tools, the runner) know no domain, so domains depend on them and never the reverse.
const DOMAINS = [
  "restores",
  "backups",
  "drills",
  "locations",
  "databases",
  "scenarios",
  "catalog",
  "contacts",
  "users",
];
const noApp = {
  regex: "^(@/|(\\.\\./)+)app(/|$)",
  message: "lib/ must not import app/: move what both need into lib/.",
};
const noDomain = {
  regex: `^(@/lib/|(\\.\\./)+(lib/)?)(${DOMAINS.join("|")})(/|$)`,
  message:
    "lib/storage, lib/postgres and lib/runner know no domain: pass what they need in (a parameter or a callback).",
};

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: [".next/**", "node_modules/**", "data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  {
    files: ["lib/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "error" },
  },
  {
    // process.env is read only in lib/env.ts (and by the CLI config and scripts around the app).
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "lib/**/*.ts"],
    ignores: ["lib/env.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read the environment through lib/env.ts." },
      ],
    },
  },
  {
    files: ["lib/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": ["error", { patterns: [noApp] }] },
  },
  {
    files: ["lib/storage/**/*.{ts,tsx}", "lib/postgres/**/*.{ts,tsx}", "lib/runner/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": ["error", { patterns: [noApp, noDomain] }] },
  },
];

export default config;
