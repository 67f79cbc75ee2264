#!/usr/bin/env node
// Placeholder: replaced by the stdio JSON-RPC shim in the next commit.
process.stderr.write("prisma-schema-engine-shim: not implemented yet\n");
process.exit(1);
