export * from "./plan-stage-move";
export * from "./plan-drop";
