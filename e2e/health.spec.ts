import { expect, test } from "@playwright/test";

test("/api/health reports the database and Redis reachable, without signing in", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  const body = await response.json();
  expect(body).toMatchObject({ status: "ok", database: { ok: true }, redis: { ok: true }, worker: { ok: expect.any(Boolean) } });
  expect(body.database.latencyMs).toEqual(expect.any(Number));
  expect(body.redis.latencyMs).toEqual(expect.any(Number));
});
