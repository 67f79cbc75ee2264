// Pieces the panel's form pages share (admin Users and GitHub App, project Settings, Profile): a
// titled card, and the notice/error a server action leaves in the URL after its redirect.
import type { ReactNode } from "react";

export function Card({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 className="mb-4 text-base font-semibold">{title}</h2>
      {children}
    </section>
  );
}

/**
 * The `?notice=` (green, role status) and `?error=` (red, role alert) of the page, cut to a length
 * (the URL is the user's to edit); test ids `<testId>-notice` and `<testId>-error`.
 */
export function PageNotices({
  notice,
  error,
  testId,
  maxErrorLength = 300,
}: {
  notice: string | undefined;
  error: string | undefined;
  testId: string;
  maxErrorLength?: number;
}) {
  return (
    <>
      {notice ? (
        <p
          role="status"
          data-testid={`${testId}-notice`}
          className="rounded-md border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-800"
        >
          {notice.slice(0, 300)}
        </p>
      ) : null}
      {error ? (
        <p
          role="alert"
          data-testid={`${testId}-error`}
          className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
        >
          {error.slice(0, maxErrorLength)}
        </p>
      ) : null}
    </>
  );
}
