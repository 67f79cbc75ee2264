/** The Slipway mark: a hull on its slipway. Decorative; callers provide the accessible name. */
export function Logo({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" className={className}>
      <rect width="32" height="32" rx="7" className="fill-brand-600" />
      <path d="M7 18h18l-3 5H10z" className="fill-white" />
      <path d="M15 8v9M15 8l6 7h-6" className="fill-none stroke-white" strokeWidth="1.8" strokeLinejoin="round" />
      <path d="M5 26l22-3" className="stroke-brand-100" strokeWidth="1.5" strokeLinecap="round" />
    </svg>
  );
}
