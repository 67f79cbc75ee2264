import { describe, expect, it } from "vitest";
import { WERKZEUG_500 } from "../logs/fixtures/odoo17-logs";
import { parseRequestLine, summarizeRequests } from "./request-log";

const OK =
  '2026-11-21 11:03:21,500 7 INFO shop-main-1 werkzeug: 172.18.0.1 - - [21/Nov/2026 11:03:21] "GET /web HTTP/1.1" 200 - 12 0.010 0.030';
const POST =
  '2026-11-21 11:03:22,000 7 INFO shop-main-1 werkzeug: 10.0.0.5 - - [21/Nov/2026 11:03:22] "POST /web/dataset/call_kw/res.partner/read HTTP/1.1" 404 - 3 0.004 0.006';
const UNTIMED = '2026-11-21 11:03:23,000 7 INFO ? werkzeug: 172.18.0.1 - - [21/Nov/2026 11:03:23] "GET /websocket HTTP/1.1" 101 -';

describe("werkzeug request lines", () => {
  it("reads method, path, status, UTC time and the response time (SQL + remaining)", () => {
    expect(parseRequestLine(OK)).toEqual({
      at: Date.UTC(2026, 10, 21, 11, 3, 21, 500),
      method: "GET",
      path: "/web",
      status: 200,
      responseMs: 40,
      queryCount: 12,
    });
  });
  it("reads the fixture of a real Odoo 17 500 line", () => {
    const first = WERKZEUG_500.split("\n")[0]!;
    expect(parseRequestLine(first)).toMatchObject({ status: 500, path: "/web/health", responseMs: 28, queryCount: 1 });
  });
  it("accepts a line without timings", () => {
    expect(parseRequestLine(UNTIMED)).toMatchObject({ status: 101, responseMs: null, queryCount: null });
  });
  it("skips other lines", () => {
    expect(parseRequestLine("2026-11-21 11:03:20,101 1 INFO db odoo.modules.loading: Modules loaded.")).toBeNull();
    expect(parseRequestLine('2026-11-21 11:03:20,101 1 INFO db odoo.http: "GET / HTTP/1.1" 200 - werkzeug: x')).toBeNull();
    expect(parseRequestLine("")).toBeNull();
  });
});

describe("request summary", () => {
  it("counts requests, 5xx errors and the mean of timed responses", () => {
    const s = summarizeRequests([OK, POST, UNTIMED, WERKZEUG_500.split("\n")[0]!, "noise"]);
    expect(s).toEqual({ requests: 4, errors: 1, avgResponseMs: Math.round(((40 + 10 + 28) / 3) * 10) / 10, maxResponseMs: 40 });
  });
  it("is empty without request lines", () => {
    expect(summarizeRequests(["a", "b"])).toEqual({ requests: 0, errors: 0, avgResponseMs: null, maxResponseMs: null });
  });
});
