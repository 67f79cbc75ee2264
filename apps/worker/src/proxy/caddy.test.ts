import { describe, expect, it } from "vitest";
import {
  PROJECT_VAR,
  hostHolder,
  maintenanceRouteId,
  redBuildPage,
  redPageRouteId,
  routeIdForBuild,
  routeProjectId,
  routeUpstreams,
} from "./caddy";

const route = (id: string, hosts: string[], projectId?: string) => ({
  "@id": id,
  match: [{ host: hosts }],
  handle: [...(projectId ? [{ handler: "vars", [PROJECT_VAR]: projectId }] : []), { handler: "subroute", routes: [] }],
  terminal: true,
});

const A = "11111111-1111-1111-1111-111111111111";
const B = "22222222-2222-2222-2222-222222222222";

describe("hostHolder", () => {
  const routes = [
    { "@id": "slipway-not-found", handle: [{ handler: "static_response", status_code: 404 }] },
    route(routeIdForBuild("build-a1"), ["acme.slipway.localhost"], A),
    route(maintenanceRouteId("build-a2"), ["shop.slipway.localhost"], A),
  ];

  it("refuses a hostname a build route of another project holds, whatever its case", () => {
    expect(hostHolder(routes, { id: routeIdForBuild("build-b1"), projectId: B, hosts: ["ACME.slipway.localhost"] })).toEqual({
      host: "acme.slipway.localhost",
      id: routeIdForBuild("build-a1"),
    });
  });

  it("refuses a hostname behind another project's maintenance page", () => {
    expect(
      hostHolder(routes, { id: routeIdForBuild("build-b1"), projectId: B, hosts: ["x.slipway.localhost", "shop.slipway.localhost"] })?.id,
    ).toBe(maintenanceRouteId("build-a2"));
  });

  it("lets the same project's next build take its hostname, a route replace itself, and free hostnames through", () => {
    expect(hostHolder(routes, { id: routeIdForBuild("build-a3"), projectId: A, hosts: ["acme.slipway.localhost"] })).toBeNull();
    expect(
      hostHolder([route(routeIdForBuild("build-a1"), ["acme.slipway.localhost"], A)], {
        id: routeIdForBuild("build-a1"),
        projectId: B,
        hosts: ["acme.slipway.localhost"],
      }),
    ).toBeNull();
    expect(hostHolder(routes, { id: routeIdForBuild("build-b1"), projectId: B, hosts: ["b.slipway.localhost"] })).toBeNull();
  });

  it("ignores routes that are not the platform's, and routes that name no project", () => {
    expect(
      hostHolder([route("someone-else", ["acme.slipway.localhost"], A)], {
        id: routeIdForBuild("b"),
        projectId: B,
        hosts: ["acme.slipway.localhost"],
      }),
    ).toBeNull();
    expect(
      hostHolder([route(routeIdForBuild("old"), ["acme.slipway.localhost"])], {
        id: routeIdForBuild("b"),
        projectId: B,
        hosts: ["acme.slipway.localhost"],
      }),
    ).toBeNull();
  });
});

describe("routeProjectId", () => {
  it("reads the project from the route's vars handler", () => {
    expect(routeProjectId(route(routeIdForBuild("x"), ["h"], A))).toBe(A);
    expect(routeProjectId(route(routeIdForBuild("x"), ["h"]))).toBeNull();
    expect(routeProjectId({})).toBeNull();
  });
});

describe("routeUpstreams", () => {
  const proxied = (http: string, ws: string) => ({
    "@id": routeIdForBuild("x"),
    handle: [
      { handler: "vars", [PROJECT_VAR]: A },
      {
        handler: "subroute",
        routes: [
          { match: [{ path: ["/web/database"] }], handle: [{ handler: "static_response", status_code: 403 }] },
          { match: [{ path: ["/websocket"] }], handle: [{ handler: "reverse_proxy", upstreams: [{ dial: ws }] }] },
          { handle: [{ handler: "reverse_proxy", upstreams: [{ dial: http }] }] },
        ],
      },
    ],
  });

  it("reads where a build route proxies to", () => {
    expect(routeUpstreams(proxied("10.1.2.3:8069", "10.1.2.3:8072"))).toEqual({
      upstream: "10.1.2.3:8069",
      websocketUpstream: "10.1.2.3:8072",
    });
  });

  it("is null for a route that proxies nowhere (the 502 answer of a build whose server is not running)", () => {
    expect(
      routeUpstreams({
        "@id": routeIdForBuild("x"),
        handle: [
          { handler: "vars", [PROJECT_VAR]: A },
          { handler: "static_response", status_code: 502 },
        ],
      }),
    ).toBeNull();
    expect(routeUpstreams({})).toBeNull();
  });
});

describe("redBuildPage", () => {
  const page = (firstError: string | null, buildPageUrl = "https://slipway.example.com/projects/acme/builds/7") =>
    redBuildPage({ buildNumber: 7, reason: "install run exited with code 255\nmore", firstError, buildPageUrl });

  it("says the build is red, why (escaped: first line and the exception at the end) and links to the build", () => {
    const html = page(
      '2026-12-05 ERROR db odoo.modules: <script>alert("x")</script>\nTraceback…\n  File "a.py"\nParseError: bad & <field>',
    );
    expect(html).toContain("Build #7 is red");
    expect(html).toContain("install run exited with code 255");
    expect(html).not.toContain("more");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain("ParseError: bad &amp; &lt;field&gt;");
    expect(html).not.toContain("<script>");
    expect(html).not.toContain('File "a.py"');
    expect(html).toContain('<a href="https://slipway.example.com/projects/acme/builds/7">');
  });

  it("links nowhere but http(s) and leaves the error block out when there is no offending line", () => {
    const html = page(null, "javascript:alert(1)");
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain("<pre");
  });

  it("is held by its project like a build route", () => {
    const routes = [route(redPageRouteId("build-a3"), ["acme--x-3.slipway.localhost"], A)];
    expect(hostHolder(routes, { id: routeIdForBuild("build-b1"), projectId: B, hosts: ["acme--x-3.slipway.localhost"] })?.id).toBe(
      redPageRouteId("build-a3"),
    );
  });
});
