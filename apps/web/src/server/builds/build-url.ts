// The one definition lives in the domain: the worker writes the same address into Odoo (web.base.url).
export { buildUrl } from "@slipway/domain";
