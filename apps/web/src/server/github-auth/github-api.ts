// GitHub sign-in and username lookups go through packages/github's Octokit client (issue 17: no
// hand-written GitHub HTTP calls); this module keeps the web app's import path.
export { exchangeCode, fetchAuthenticatedUser, fetchUserByLogin, isOrganisationMember, type GithubAccount } from "@slipway/github";
