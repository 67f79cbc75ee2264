"use client";

import { customDomainState, type CustomDomainState, type Stage } from "@slipway/domain";
import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";
import { inputClass, primaryButtonClass, secondaryButtonClass } from "../../../_components/styles";
import { customDomainAction, type DomainFormState } from "./settings/domain-actions";

export interface CustomDomainItem {
  id: string;
  hostname: string;
  primary: boolean;
  verifiedAt: string | null;
  lastCheckedAt: string | null;
  lastResult: string | null;
  lastAnswer: string | null;
  lastError: string | null;
  certificateExpiresAt: string | null;
}

export interface CustomDomainsPanelProps {
  slug: string;
  branch: string;
  stage: Stage;
  /** `<project>.<base domain>`: what the CNAME records must point at. */
  target: string;
  domains: CustomDomainItem[];
}

const stateLabels: Record<CustomDomainState, string> = {
  pending: "Pending DNS",
  verified: "Verified",
  certificate: "Certificate issued",
  error: "DNS error",
};
const stateColors: Record<CustomDomainState, string> = {
  pending: "bg-amber-50 text-amber-800 ring-amber-200",
  verified: "bg-sky-50 text-sky-800 ring-sky-200",
  certificate: "bg-green-50 text-green-800 ring-green-200",
  error: "bg-red-50 text-red-800 ring-red-200",
};
/** While a domain waits for its DNS or its certificate, the page reloads its data this often. */
const REFRESH_MS = 3_000;

function stateOf(d: CustomDomainItem): CustomDomainState {
  return customDomainState({
    verifiedAt: d.verifiedAt ? new Date(d.verifiedAt) : null,
    lastResult: d.lastResult,
    certificateExpiresAt: d.certificateExpiresAt ? new Date(d.certificateExpiresAt) : null,
  });
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

/**
 * The Custom domains card of the branch's Settings tab (seed "Custom domains", "HTTPS/SSL"): each
 * domain with its state (pending DNS, verified, certificate issued with its expiry, DNS error with
 * the resolver's answer), Add / Remove / Check now, and for production the main domain (its
 * web.base.url). Every button is a server action that checks the role again.
 */
export function CustomDomainsPanel({ slug, branch, stage, target, domains }: CustomDomainsPanelProps) {
  const [state, action, pending] = useActionState<DomainFormState, FormData>(customDomainAction, { submission: 0 });
  const router = useRouter();
  const waiting = domains.some((d) => stateOf(d) !== "certificate");
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => router.refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [waiting, router]);

  const hidden = (
    <>
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="branch" value={branch} />
    </>
  );

  return (
    <fieldset className="space-y-3 border-t border-slate-100 pt-4" data-testid="custom-domains">
      <legend className="mb-2 text-sm font-semibold text-slate-900">Custom domains</legend>
      <p className="text-sm text-slate-600">
        Point a domain you own at this branch with a <strong>CNAME</strong> record to{" "}
        <code className="font-mono text-slate-900" data-testid="custom-domains-target">
          {target}
        </code>{" "}
        at your registrar, then add it here. Bare domains (e.g. <span className="font-mono">example.com</span>) cannot be used: they only
        take A records (IP addresses), which break when the server&apos;s address changes; add{" "}
        <span className="font-mono">www.example.com</span> and redirect the bare domain to it. A certificate is obtained automatically once
        the record is found.
      </p>

      {domains.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="custom-domains-empty">
          No custom domain yet.
        </p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-md border border-slate-200">
          {domains.map((d) => {
            const s = stateOf(d);
            return (
              <li
                key={d.id}
                className="flex flex-wrap items-center gap-3 px-3 py-2 text-sm"
                data-testid="custom-domain"
                data-hostname={d.hostname}
                data-state={s}
              >
                <span className="font-mono text-slate-900">{d.hostname}</span>
                {stage === "production" && d.primary ? (
                  <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700" data-testid="custom-domain-primary">
                    main domain
                  </span>
                ) : null}
                <span className={`rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${stateColors[s]}`} data-testid="custom-domain-state">
                  {stateLabels[s]}
                </span>
                <span className="min-w-0 flex-1 text-xs text-slate-500" data-testid="custom-domain-detail">
                  {s === "certificate" && d.certificateExpiresAt
                    ? `Certificate valid until ${day(d.certificateExpiresAt)}.`
                    : s === "verified"
                      ? `CNAME found (${d.lastAnswer ?? target}); the certificate is obtained at the first HTTPS visit.`
                      : d.lastCheckedAt === null
                        ? "Not checked yet."
                        : `${d.lastError ?? ""} Resolver answer: ${d.lastAnswer ?? "none"}.`}
                </span>
                <form action={action} className="flex gap-2">
                  {hidden}
                  <input type="hidden" name="domainId" value={d.id} />
                  <button type="submit" name="intent" value="check" className={secondaryButtonClass} disabled={pending}>
                    Check now
                  </button>
                  {stage === "production" && !d.primary ? (
                    <button type="submit" name="intent" value="primary" className={secondaryButtonClass} disabled={pending}>
                      Make main
                    </button>
                  ) : null}
                  <button type="submit" name="intent" value="remove" className={secondaryButtonClass} disabled={pending}>
                    Remove
                  </button>
                </form>
              </li>
            );
          })}
        </ul>
      )}

      <form action={action} className="flex flex-wrap items-center gap-2">
        {hidden}
        <input
          name="hostname"
          placeholder="www.example.com"
          maxLength={253}
          required
          aria-label="Domain name"
          data-testid="custom-domain-input"
          className={`${inputClass} max-w-sm font-mono`}
        />
        <button type="submit" name="intent" value="add" className={primaryButtonClass} disabled={pending}>
          Add domain
        </button>
      </form>
      {state.notice && !pending ? (
        <p role="status" data-testid="custom-domains-notice" className="text-sm text-green-800">
          {state.notice}
        </p>
      ) : null}
      {state.error && !pending ? (
        <p role="alert" data-testid="custom-domains-error" className="text-sm text-red-700">
          {state.error}
        </p>
      ) : null}
    </fieldset>
  );
}
