// Prints the Caddy JSON configuration of a production install (infra/install.sh writes it to
// /etc/caddy/slipway.json): the admin API on loopback and the "slipway" HTTP server. Everything else
// is the worker's, through the admin API: the panel's route on SLIPWAY_PUBLIC_URL's host, HTTPS
// (on-demand ACME with the ask endpoint, HTTP → HTTPS redirect) when SLIPWAY_TLS=acme
// (apps/worker/src/proxy/edge.ts), and the builds' routes (caddy.ts); its route keeper puts them back
// within a minute after a Caddy restart. Node built-ins only: it runs before npm ci.
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { admin: { type: "string" }, "http-port": { type: "string" }, "https-port": { type: "string" } } });
if (!values.admin || !values["http-port"] || !values["https-port"])
  throw new Error("usage: caddy-config.mjs --admin URL --http-port N --https-port N");
const httpPort = Number(values["http-port"]);

const config = {
  admin: { listen: new URL(values.admin).host },
  apps: {
    // Never install Caddy's local CA into the machine's trust stores.
    pki: { certificate_authorities: { local: { install_trust: false } } },
    http: {
      http_port: httpPort,
      https_port: Number(values["https-port"]),
      // Caddy's automatic HTTPS stays off: the worker sets up on-demand TLS itself, for the names the platform allows.
      servers: { slipway: { listen: [`:${httpPort}`], routes: [], automatic_https: { disable: true } } },
    },
  },
};
process.stdout.write(JSON.stringify(config, null, 2) + "\n");
