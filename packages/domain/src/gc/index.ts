export * from "./select-builds-to-collect";
