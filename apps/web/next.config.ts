import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Workspace packages export TypeScript source (they are not built), so Next compiles them.
  transpilePackages: ["@slipway/config", "@slipway/db", "@slipway/domain", "@slipway/git", "@slipway/github", "@slipway/queue"],
  // Loaded with Node's require at run time instead of being bundled: native bindings, dynamic
  // requires and worker threads that bundlers break. dockerode is absent on purpose: the web
  // process never talks to Docker (only the worker does).
  serverExternalPackages: ["pg", "@prisma/client", "@prisma/adapter-pg", "bullmq", "ioredis", "pino"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
