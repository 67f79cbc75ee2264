/** The Odoo image the stand-in-based tests run on; the compatibility suite sets another. */
export const STANDIN_TEST_IMAGE = "slipway/odoo-standin:17.0";

/**
 * The Odoo image under test: `SLIPWAY_TEST_ODOO_IMAGE` (set by `npm run test:odoo-compat -- <image>`),
 * else the stand-in. Read here because this package is the only reader of the environment.
 */
export function testOdooImage(env: NodeJS.ProcessEnv = process.env): string {
  return env.SLIPWAY_TEST_ODOO_IMAGE || STANDIN_TEST_IMAGE;
}
