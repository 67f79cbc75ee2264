"use client";

import { odooSeries } from "@slipway/domain";
import { useActionState, type ReactNode } from "react";
import { inputClass, primaryButtonClass } from "../../_components/styles";
import { saveProjectSettingsAction, type ProjectSettingsFormState } from "./project-settings-action";

export interface ProjectSettingsFormProps {
  slug: string;
  baseDomain: string;
  values: ProjectSettingsFormState["values"];
}

function Field({ label, error, hint, children }: { label: string; error?: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <label className="block text-sm">
      <span className="mb-1 block font-medium text-slate-700">{label}</span>
      {children}
      {hint ? <span className="mt-1 block text-xs text-slate-500">{hint}</span> : null}
      {error ? (
        <span role="alert" className="mt-1 block text-xs text-red-700" data-testid="field-error">
          {error}
        </span>
      ) : null}
    </label>
  );
}

/**
 * The Project card of the Settings page: name (shown everywhere; the slug and addresses stay),
 * public access, Odoo version, image and repository. Values typed stay in the form on a refusal;
 * new values apply to future builds only.
 */
export function ProjectSettingsForm({ slug, baseDomain, values: initial }: ProjectSettingsFormProps) {
  const [state, action, pending] = useActionState<ProjectSettingsFormState, FormData>(saveProjectSettingsAction, {
    values: initial,
    errors: {},
    submission: 0,
  });
  const v = state.values;
  const e = state.errors;
  return (
    // key: the fields re-mount with the submitted values after each answer (React resets forms after an action).
    <form action={action} className="space-y-4" key={state.submission} data-testid="project-settings-form">
      <input type="hidden" name="slug" value={slug} />
      <Field
        label="Name"
        error={e.name}
        hint={
          <>
            The name shown in Slipway. The project&apos;s address keeps its permanent identifier <span className="font-mono">{slug}</span>{" "}
            (production answers at{" "}
            <span className="font-mono">
              {slug}.{baseDomain}
            </span>
            ): builds made before and after a rename keep working at their addresses.
          </>
        }
      >
        <input name="name" defaultValue={v.name} maxLength={100} required aria-invalid={Boolean(e.name)} className={inputClass} />
      </Field>
      <Field
        label="Repository"
        error={e.repoUrl}
        hint="Future builds, polls and webhooks use this repository; existing builds keep the code they were built from."
      >
        <input
          name="repoUrl"
          defaultValue={v.repoUrl}
          required
          maxLength={1000}
          aria-invalid={Boolean(e.repoUrl)}
          className={`${inputClass} font-mono`}
        />
      </Field>
      <div className="grid gap-4 sm:grid-cols-[10rem_1fr]">
        <Field label="Odoo version" error={e.odooVersion}>
          <select name="odooVersion" defaultValue={v.odooVersion} aria-invalid={Boolean(e.odooVersion)} className={inputClass}>
            {odooSeries.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="Odoo image"
          error={e.odooImage}
          hint="Change the version and the image together. The production database is not upgraded by this: upgrade it first."
        >
          <input
            name="odooImage"
            defaultValue={v.odooImage}
            required
            maxLength={300}
            aria-invalid={Boolean(e.odooImage)}
            className={`${inputClass} font-mono`}
          />
        </Field>
      </div>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="publicAccess" defaultChecked={v.publicAccess} className="mt-1" />
        <span>
          <span className="font-medium text-slate-700">Allow public access</span>
          <span className="block text-slate-500">
            Visitors can see the builds page, connect to development builds and use their logs, shell and mails. Production and staging
            builds stay private; visitors only see their status.
          </span>
        </span>
      </label>
      <div className="flex items-center gap-3">
        <button type="submit" className={primaryButtonClass} disabled={pending}>
          {pending ? "Saving…" : "Save"}
        </button>
        {state.notice && !pending ? (
          <p role="status" className="text-sm text-green-800" data-testid="project-settings-notice">
            {state.notice}
          </p>
        ) : null}
        {e.form && !pending ? (
          <p role="alert" className="text-sm text-red-700" data-testid="project-settings-error">
            {e.form}
          </p>
        ) : null}
      </div>
    </form>
  );
}
