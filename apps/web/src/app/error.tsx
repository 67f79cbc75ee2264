"use client";

// Shown when a page fails on the server (e.g. the database is unreachable). The details stay in
// the server log; the digest lets an operator find them.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="max-w-md rounded-xl border border-slate-200 bg-white p-6 text-center shadow-sm">
        <h1 className="text-lg font-semibold">Something went wrong</h1>
        <p className="mt-2 text-sm text-slate-600">
          Slipway could not load this page. If it keeps happening, check /api/health and the server log
          {error.digest ? (
            <>
              {" "}
              (reference <code className="rounded bg-slate-100 px-1">{error.digest}</code>)
            </>
          ) : null}
          .
        </p>
        <button
          type="button"
          onClick={reset}
          className="mt-4 rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700"
        >
          Try again
        </button>
      </div>
    </main>
  );
}
