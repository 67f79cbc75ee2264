export * from "./states";
export * from "./steps";
export * from "./connect-token";
export * from "./lifecycle";
