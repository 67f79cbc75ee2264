import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// ---------------------------------------------------------------------------------------------
// Import boundaries (issue 13). The layers, bottom to top:
//   packages/domain  →  packages/{config,db,queue,docker,git,github}  →  apps/{web,worker}
// An import may only point down. scripts/check-import-graph (dependency-cruiser, in npm test)
// checks the whole graph, cycles included; these rules say the same thing at the line that breaks
// it, in the editor. eslint-boundaries.test.ts proves that each one fires.
// ---------------------------------------------------------------------------------------------

const TEST_FILES = ["**/*.test.ts", "**/*.int.test.ts", "**/testing/**", "**/testing.ts", "**/test-support/**"];
const NODE_BUILTINS = [...new Set(builtinModules.map((m) => m.replace(/^node:/, "")))];

/** Imports that leave one workspace through a relative path ("../../worker/src/...") instead of its package name. */
const crossWorkspaceRelative = (message) => ({
  regex: String.raw`^(\.\./)+(((apps|packages)/)|((web|worker|domain|config|db|queue|docker|git|github)/(src|test-support)(/|$)))`,
  message,
});

// The domain runs on both sides of the wire: the web bundles it into client components, so it uses
// the ECMAScript standard library only — no Node built-ins, no package, no other workspace. Its
// tests run under Node and may use built-ins.
const domainRestrictions = {
  paths: NODE_BUILTINS.flatMap((m) =>
    [m, `node:${m}`].map((name) => ({
      name,
      message: "The domain runs in the browser too: no Node built-ins (ARCHITECTURE.md, dependency rule).",
    })),
  ),
  patterns: [
    {
      // Any bare specifier (a package, a workspace); relative imports inside the domain stay allowed.
      regex: "^(?!\\.{1,2}/)(?!node:)",
      message: "The domain imports nothing outside itself: no package, no other workspace.",
    },
    crossWorkspaceRelative("The domain imports nothing outside itself."),
  ],
};

// Adapters point at the domain only: an adapter that needs another one is composed by an app.
const ADAPTERS = ["config", "db", "queue", "docker", "git", "github"];
const adapterRestrictions = (self) => ({
  patterns: [
    {
      group: ["@slipway/*", "!@slipway/domain", `!@slipway/${self}`, `!@slipway/${self}/*`],
      message: `Adapters import only @slipway/domain: the apps compose @slipway/${self} with the others.`,
    },
    crossWorkspaceRelative("Import another workspace by its package name, never through a relative path."),
  ],
});

// The web is a thin edge: it never holds the Docker socket and never works in a git tree (the
// worker does, behind the queue). From @slipway/git it may use the repository-URL vetting helpers
// and the read-only branch listing (`git ls-remote`) the webhook uses to check branch heads.
const WEB_GIT_ALLOWED = [
  "parseRepoUrl",
  "ParsedRepoUrl",
  "RepoUrlKind",
  "repoUrlHost",
  "assertPublicRepoHost",
  "resolveHostAddresses",
  "resolveLocalRepo",
  "repoUrlVetter",
  "isNonPublicAddress",
  "isLocalHostName",
  "parseIPv4",
  "parseIPv6",
  "listRemoteBranches",
];
const webRestrictions = ({ tests }) => ({
  paths: [
    { name: "@slipway/docker", message: "Only the worker talks to Docker: enqueue a job instead." },
    { name: "dockerode", message: "Only the worker talks to Docker: enqueue a job instead." },
    ...(tests
      ? []
      : [
          {
            name: "@slipway/git",
            allowImportNames: WEB_GIT_ALLOWED,
            message: "The web does not run git work trees (fetch, merge, push): enqueue a worker job. URL helpers and ls-remote only.",
          },
        ]),
    ...(tests ? [] : [{ name: "@slipway/worker", message: "The web talks to the worker through the queue." }]),
  ],
  patterns: [
    {
      group: tests ? ["@slipway/worker/*", "!@slipway/worker/testing"] : ["@slipway/worker/*"],
      message: tests
        ? "Web tests reach the worker through @slipway/worker/testing only."
        : "The web talks to the worker through the queue.",
    },
    crossWorkspaceRelative(
      "Import another workspace by its package name (web tests: @slipway/worker/testing), never through a relative path.",
    ),
    { regex: String.raw`(^|/)worker/src(/|$)`, message: "The web never reaches into the worker's sources." },
  ],
});

const workerRestrictions = {
  patterns: [
    { group: ["@slipway/web", "@slipway/web/*"], message: "The worker never imports the web app." },
    crossWorkspaceRelative("Import another workspace by its package name, never through a relative path."),
    { regex: String.raw`(^|/)web/src(/|$)`, message: "The worker never reaches into the web's sources." },
  ],
};

const importBoundaries = [
  {
    name: "slipway/boundaries/domain",
    files: ["packages/domain/**/*.ts"],
    ignores: TEST_FILES,
    rules: {
      "no-restricted-imports": ["error", domainRestrictions],
      "no-restricted-globals": [
        "error",
        ...["Buffer", "process", "require", "__dirname", "__filename", "global", "setImmediate"].map((name) => ({
          name,
          message: "The domain runs in the browser too: no Node global (ARCHITECTURE.md, dependency rule).",
        })),
      ],
    },
  },
  ...ADAPTERS.map((name) => ({
    name: `slipway/boundaries/${name}`,
    files: [`packages/${name}/**/*.ts`],
    rules: { "no-restricted-imports": ["error", adapterRestrictions(name)] },
  })),
  {
    name: "slipway/boundaries/web",
    files: ["apps/web/**/*.ts", "apps/web/**/*.tsx"],
    rules: { "no-restricted-imports": ["error", webRestrictions({ tests: false })] },
  },
  {
    name: "slipway/boundaries/web-tests",
    files: TEST_FILES.map((g) => `apps/web/${g}`),
    rules: { "no-restricted-imports": ["error", webRestrictions({ tests: true })] },
  },
  {
    name: "slipway/boundaries/worker",
    files: ["apps/worker/**/*.ts"],
    rules: { "no-restricted-imports": ["error", workerRestrictions] },
  },
];

// ---------------------------------------------------------------------------------------------
// Data boundary (issue 13 item 3), OFF until the apps are converted: the lead switches
// DATA_BOUNDARY to "error". In the apps' sources (tests and testing support aside) the database
// is a `Db` handed to the repository functions of @slipway/db: no generated type (models, enums,
// `Prisma`, `PrismaClient`) is imported and no model method or raw query is called on the handle.
// ---------------------------------------------------------------------------------------------

export const DATA_BOUNDARY = "error";

const schema = readFileSync(new URL("./prisma/schema.prisma", import.meta.url), "utf8");
const MODELS = [...schema.matchAll(/^model\s+(\w+)\s*\{/gm)].map((m) => m[1]);
const ENUMS = [...schema.matchAll(/^enum\s+(\w+)\s*\{/gm)].map((m) => m[1]);
const HANDLE_METHODS = [
  ...MODELS.map((m) => m[0].toLowerCase() + m.slice(1)),
  ...["transaction", "queryRaw", "queryRawUnsafe", "executeRaw", "executeRawUnsafe", "extends", "connect", "disconnect"].map(
    (m) => `\\$${m}`,
  ),
];
const handleMember = `/^(${HANDLE_METHODS.join("|")})$/`;

/** `process.env` stays forbidden in the apps (see the configuration block below): the data rules add to it. */
const PROCESS_ENV_SYNTAX = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: "Read configuration through @slipway/config.",
};

/**
 * The data-boundary rules at a given severity ("off" | "warn" | "error"). The process.env rule of the
 * apps stays on whatever the severity: this block replaces no-restricted-syntax for the files it matches.
 */
export function dataBoundaryRules(severity) {
  const memberSelectors = [
    `MemberExpression[object.name=/^(prisma|db|tx)$/][property.name=${handleMember}]`,
    // deps.prisma.build, this.prisma.$transaction, deps.db.build (not ctx.db.user: an Odoo connection's `db`).
    `MemberExpression[object.property.name='prisma'][property.name=${handleMember}]`,
    `MemberExpression[object.object.name='deps'][object.property.name='db'][property.name=${handleMember}]`,
  ].map((selector) => ({ selector, message: "Call a repository function of @slipway/db with the Db handle instead of a model method." }));
  return {
    name: "slipway/data-boundary",
    files: ["apps/*/src/**/*.ts", "apps/*/src/**/*.tsx"],
    ignores: TEST_FILES,
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        severity,
        {
          paths: [
            {
              name: "@slipway/db",
              importNames: ["Prisma", "PrismaClient", ...MODELS, ...ENUMS],
              message: "Apps take domain types or read models from @slipway/db repositories, not generated Prisma types.",
            },
          ],
          patterns: [
            { group: ["@prisma/*", "@slipway/db/*", "!@slipway/db/testing"], message: "The generated client stays inside packages/db." },
          ],
        },
      ],
      "no-restricted-syntax": ["error", PROCESS_ENV_SYNTAX, ...(severity === "off" ? [] : memberSelectors)],
    },
  };
}

export const dataBoundary = dataBoundaryRules(DATA_BOUNDARY);

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/dist/**",
      "**/generated/**",
      ".slipway/**",
      "test-results/**",
      "playwright-report/**",
      "**/next-env.d.ts",
      "docker/**/*.py",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        Buffer: "readonly",
        fetch: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-properties": ["error", { object: "child_process", property: "exec", message: "Use execFile with an argument array." }],
    },
  },
  {
    // The configuration package is the only reader of process.env (scripts and tests aside).
    files: ["apps/**/*.ts", "apps/**/*.tsx", "packages/**/*.ts"],
    ignores: ["packages/config/**", "**/*.test.ts", "**/*.int.test.ts"],
    rules: {
      "no-restricted-syntax": ["error", PROCESS_ENV_SYNTAX],
    },
  },
  ...importBoundaries,
  dataBoundary,
);
