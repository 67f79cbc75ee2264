// The one access module of the web app (issue 7). Pages: projectForPage / projectActionForPage /
// orPageRefusal. Server actions and use cases: loadProjectAccess, authorize*. Route handlers,
// log streams, terminal sockets: routeViewer + authorize* + accessErrorResponse, crossSiteRefusal.
export * from "./project-access";
export * from "./authorize";
export * from "./http";
