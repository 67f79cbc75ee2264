export * from "./odoo-args";
export * from "./odoo-config";
export * from "./odoo-context";
export * from "./run-step";
export * from "./odoo-steps";
export * from "./serve";
export * from "./requirements-image";
