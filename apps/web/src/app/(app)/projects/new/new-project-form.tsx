"use client";

import { useActionState, useState, type ReactNode } from "react";
import { inputClass, primaryButtonClass } from "../_components/styles";
import { createProjectAction, type NewProjectFormState } from "./actions";
import { suggestSlug } from "./suggest-slug";

type Values = NewProjectFormState["values"];
type Errors = NewProjectFormState["errors"];

const versions = ["18.0", "17.0", "16.0"];

function Field(props: {
  id: keyof Values;
  label: string;
  hint?: ReactNode;
  error?: string;
  children: (aria: Record<string, unknown>) => ReactNode;
}) {
  const { id, label, hint, error, children } = props;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children({ id, name: id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy })}
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="text-sm text-red-700" data-testid={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The fields, controlled so the slug and the image follow the name and the version until edited. */
function Fields({ initial, errors, imageTemplate }: { initial: Values; errors: Errors; imageTemplate: string }) {
  const [v, setV] = useState(initial);
  const [slugEdited, setSlugEdited] = useState(initial.slug !== "" && initial.slug !== suggestSlug(initial.name));
  const imageFor = (version: string) => imageTemplate.replaceAll("{version}", version);
  const [imageEdited, setImageEdited] = useState(initial.odooImage !== imageFor(initial.odooVersion));
  const set = (patch: Partial<Values>) => setV((old) => ({ ...old, ...patch }));

  return (
    <>
      <Field id="name" label="Name" error={errors.name}>
        {(aria) => (
          <input
            {...aria}
            type="text"
            required
            autoComplete="off"
            value={v.name}
            className={inputClass}
            onChange={(e) => set({ name: e.target.value, ...(slugEdited ? {} : { slug: suggestSlug(e.target.value) }) })}
          />
        )}
      </Field>
      <Field
        id="slug"
        label="Project slug"
        error={errors.slug}
        hint={
          <>
            Used in every build&apos;s address:{" "}
            <code>
              {v.slug || "slug"}.{v.baseDomain || "domain"}
            </code>
            . Lowercase letters, digits and hyphens.
          </>
        }
      >
        {(aria) => (
          <input
            {...aria}
            type="text"
            required
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            value={v.slug}
            className={`${inputClass} font-mono`}
            onChange={(e) => {
              setSlugEdited(true);
              set({ slug: e.target.value });
            }}
          />
        )}
      </Field>
      <Field
        id="repoUrl"
        label="Repository URL"
        error={errors.repoUrl}
        hint="GitHub (https://github.com/owner/repo or git@github.com:owner/repo.git), any Git URL, or an absolute path on this server."
      >
        {(aria) => (
          <input
            {...aria}
            type="text"
            required
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            value={v.repoUrl}
            className={`${inputClass} font-mono`}
            placeholder="https://github.com/acme/odoo-addons"
            onChange={(e) => set({ repoUrl: e.target.value })}
          />
        )}
      </Field>
      <div className="grid gap-5 sm:grid-cols-2">
        <Field id="odooVersion" label="Odoo version" error={errors.odooVersion}>
          {(aria) => (
            // Uncontrolled (defaultValue): React's automatic form reset after the action would put a
            // controlled select back on its first option while the state kept the chosen one.
            <select
              {...aria}
              defaultValue={initial.odooVersion}
              className={inputClass}
              onChange={(e) => set({ odooVersion: e.target.value, ...(imageEdited ? {} : { odooImage: imageFor(e.target.value) }) })}
            >
              {versions.map((version) => (
                <option key={version} value={version}>
                  {version}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="odooImage" label="Odoo image" error={errors.odooImage}>
          {(aria) => (
            <input
              {...aria}
              type="text"
              required
              autoComplete="off"
              spellCheck={false}
              value={v.odooImage}
              className={`${inputClass} font-mono`}
              onChange={(e) => {
                setImageEdited(true);
                set({ odooImage: e.target.value });
              }}
            />
          )}
        </Field>
      </div>
      <Field id="baseDomain" label="Base domain" error={errors.baseDomain}>
        {(aria) => (
          <input
            {...aria}
            type="text"
            required
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            value={v.baseDomain}
            className={`${inputClass} font-mono`}
            onChange={(e) => set({ baseDomain: e.target.value })}
          />
        )}
      </Field>
    </>
  );
}

export function NewProjectForm({ defaults, imageTemplate }: { defaults: Values; imageTemplate: string }) {
  const [state, action, pending] = useActionState<NewProjectFormState, FormData>(createProjectAction, {
    values: defaults,
    errors: {},
    submission: 0,
  });
  const failed = Object.keys(state.errors).length > 0;
  return (
    <form action={action} className="space-y-5" noValidate>
      {state.formError || failed ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {state.formError ?? "The project was not created: correct the fields marked below."}
        </p>
      ) : null}
      <Fields key={state.submission} initial={state.values} errors={state.errors} imageTemplate={imageTemplate} />
      <div className="space-y-1.5">
        <label htmlFor="githubToken" className="block text-sm font-medium text-slate-700">
          GitHub token <span className="font-normal text-slate-500">(optional, GitHub repositories)</span>
        </label>
        <input
          id="githubToken"
          name="githubToken"
          type="password"
          autoComplete="off"
          className={`${inputClass} font-mono`}
          aria-describedby="githubToken-hint"
        />
        <p id="githubToken-hint" className="text-xs text-slate-500">
          A fine-grained token with access to the repository (Administration, Webhooks and Commit statuses: read and write): Slipway then
          adds its deploy key and the push webhook itself. Without one, both are shown in the project&apos;s settings to add by hand.
        </p>
      </div>
      <div className="flex justify-end">
        <button type="submit" disabled={pending} className={primaryButtonClass}>
          {pending ? "Creating…" : "Create project"}
        </button>
      </div>
    </form>
  );
}
