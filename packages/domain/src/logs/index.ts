export * from "./parse-odoo-log";
export * from "./classify-run";
export * from "./summarize-tests";
