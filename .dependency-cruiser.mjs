// The import graph of the workspaces, checked by `npm run check:imports` (a step of `npm test`):
// dependency-cruiser resolves every import of apps/ and packages/ (workspace packages through
// their symlinks, the web's path aliases through tsconfig.json, type-only imports included) and
// fails on any edge below. The layers, bottom to top:
//
//   packages/domain  ◀──  packages/{config,db,queue,docker,git,github}  ◀──  apps/{web,worker}
//
// An import only points down (or stays in its own workspace), and there is no cycle. The same
// rules, per line and in the editor, are the import boundaries of eslint.config.js.

const TESTS = String.raw`(\.test\.ts$|\.int\.test\.ts$|/testing/|/testing\.ts$|/test-support/)`;
const DOMAIN = "^packages/domain/";
const APPS = "^apps/";

export default {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle ties modules into one unit nobody can load, test or read alone: break it (extract what both sides need).",
      from: {},
      to: { circular: true },
    },
    {
      name: "domain-imports-nothing-outside",
      severity: "error",
      comment: "packages/domain is the ground floor: it imports only itself (ARCHITECTURE.md, dependency rule); its tests use vitest.",
      from: { path: DOMAIN, pathNot: TESTS },
      to: { pathNot: [DOMAIN], dependencyTypesNot: ["core"] },
    },
    {
      name: "domain-no-node-builtins",
      severity: "error",
      comment: "The domain runs anywhere, browser bundles included: no Node built-in (its tests run under Node).",
      from: { path: DOMAIN, pathNot: TESTS },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "adapters-point-at-the-domain-only",
      severity: "error",
      comment: "An adapter imports @slipway/domain and itself; the apps compose adapters with each other.",
      from: { path: "^packages/([^/]+)/", pathNot: DOMAIN },
      to: { path: "^(packages|apps)/", pathNot: ["^packages/$1/", DOMAIN] },
    },
    {
      name: "packages-never-import-apps",
      severity: "error",
      from: { path: "^packages/" },
      to: { path: APPS },
    },
    {
      name: "web-never-imports-the-worker",
      severity: "error",
      comment: "The web talks to the worker through the queue.",
      from: { path: "^apps/web/", pathNot: TESTS },
      to: { path: "^apps/worker/" },
    },
    {
      name: "web-tests-use-the-worker-testing-entry",
      severity: "error",
      comment: "Web tests that run a worker job in-process import @slipway/worker/testing, not the worker's modules.",
      from: { path: "^apps/web/.*" + TESTS },
      to: { path: "^apps/worker/", pathNot: String.raw`^apps/worker/src/testing/index\.ts$` },
    },
    {
      name: "web-never-reaches-docker",
      severity: "error",
      comment: "Only the worker holds the Docker socket: the web enqueues a job.",
      from: { path: "^apps/web/" },
      to: { path: ["^packages/docker/", "(^|/)node_modules/(dockerode|docker-modem)/"] },
    },
    {
      name: "worker-never-imports-the-web",
      severity: "error",
      from: { path: "^apps/worker/" },
      to: { path: "^apps/web/" },
    },
    {
      name: "only-tests-import-test-support",
      severity: "error",
      comment: "Tests, fixtures and testing helpers are never part of what the apps run.",
      from: { pathNot: TESTS },
      to: { path: TESTS },
    },
    {
      name: "generated-client-stays-in-db",
      severity: "error",
      comment: "Only packages/db imports the generated Prisma client; the others go through @slipway/db.",
      from: { pathNot: "^packages/db/" },
      to: { path: ["^packages/db/src/generated/", "(^|/)node_modules/(@prisma/client|\\.prisma)/"] },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that does not resolve is a missing dependency or a typo.",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    exclude: { path: ["/node_modules/", "/\\.next/", "next-env\\.d\\.ts$", "^packages/db/src/generated/", "/odoo-addons/"] },
    doNotFollow: { path: ["node_modules"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    combinedDependencies: false,
    preserveSymlinks: false,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
