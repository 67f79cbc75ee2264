// GitHub sign-in and username lookups go through packages/github's Octokit client (issue 17: no
// hand-written GitHub HTTP calls); this module keeps the web app's import path and bounds rate-limit
// waits to what a browser waiting on the answer can bear (WEB_GITHUB_LIMITS).
import * as accounts from "@slipway/github";
import { WEB_GITHUB_LIMITS } from "../github/project-github";

export type { GithubAccount } from "@slipway/github";

type Without<F extends (options: never) => unknown> = Omit<Parameters<F>[0], "limits">;

export const exchangeCode = (options: Without<typeof accounts.exchangeCode>) =>
  accounts.exchangeCode({ ...options, limits: WEB_GITHUB_LIMITS });
export const fetchAuthenticatedUser = (options: Without<typeof accounts.fetchAuthenticatedUser>) =>
  accounts.fetchAuthenticatedUser({ ...options, limits: WEB_GITHUB_LIMITS });
export const fetchUserByLogin = (options: Without<typeof accounts.fetchUserByLogin>) =>
  accounts.fetchUserByLogin({ ...options, limits: WEB_GITHUB_LIMITS });
export const isOrganisationMember = (options: Without<typeof accounts.isOrganisationMember>) =>
  accounts.isOrganisationMember({ ...options, limits: WEB_GITHUB_LIMITS });
