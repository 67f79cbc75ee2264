// Moved to the access module (issue 7); kept so existing imports keep working. Import from
// "../access" in new code.
export { loadProjectAccess, resolveActor, type ProjectAccess, type Viewer } from "../access/project-access";
