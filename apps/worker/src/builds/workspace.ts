// A build's folder (checkout and step logs) is part of the state layout the web also reads.
export { buildWorkspace } from "@slipway/config";
