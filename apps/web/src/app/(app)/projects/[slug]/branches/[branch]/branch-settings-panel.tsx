"use client";

import {
  developmentOdooImage,
  installModeLabels,
  installModes,
  isDomainError,
  odooSeries,
  parseOdooRevision,
  pushBehaviorLabels,
  stageSettings,
  usesDefaultBehaviour,
  type BranchSettings,
  type Stage,
} from "@slipway/domain";
import { useActionState, useState, type ReactNode } from "react";
import { inputClass, primaryButtonClass } from "../../../_components/styles";
import { saveBranchSettingsAction, type BranchSettingsFormState } from "./settings/actions";

export interface BranchSettingsPanelProps {
  slug: string;
  branch: string;
  stage: Stage;
  settings: BranchSettings;
  project: { odooVersion: string; odooImage: string };
  /** The installable modules the branch's last build found (and that build's number), if any. */
  discovered: { buildNumber: number; modules: string[] } | null;
}

const pushHelp: Record<string, string> = {
  new_build: "Every new commit starts a new build.",
  update_previous: "Every new commit updates the previous build's database (your configuration stays).",
  do_nothing: "New commits start no build; use Rebuild or Build now when you want one.",
};

function Section({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <fieldset className="space-y-3 border-t border-slate-100 pt-4 first:border-t-0 first:pt-0" data-testid={testId}>
      <legend className="mb-2 text-sm font-semibold text-slate-900">{title}</legend>
      {children}
    </fieldset>
  );
}

function imagePreview(project: BranchSettingsPanelProps["project"], version: string, revision: string): { image?: string; error?: string } {
  try {
    const rev = parseOdooRevision(revision);
    return {
      image: developmentOdooImage({
        projectImage: project.odooImage,
        projectVersion: project.odooVersion,
        odooVersion: version || null,
        odooRevision: rev,
      }),
    };
  } catch (e) {
    return { error: isDomainError(e) ? e.message : String(e) };
  }
}

/**
 * The branch's Settings tab (seed odoo_sh/getting_started/branches.md "Settings"): only what the
 * seed shows for the branch's stage. The values typed stay in the form when the server refuses them.
 */
export function BranchSettingsPanel(props: BranchSettingsPanelProps) {
  const { slug, branch, stage, settings, project, discovered } = props;
  const shown = stageSettings(stage);
  const [state, action, pending] = useActionState<BranchSettingsFormState, FormData>(saveBranchSettingsAction, { submission: 0 });
  const [pushBehavior, setPushBehavior] = useState(settings.pushBehavior);
  const [useDefault, setUseDefault] = useState(usesDefaultBehaviour(settings));
  const [installMode, setInstallMode] = useState(settings.installMode);
  const [installModules, setInstallModules] = useState(settings.installModules.join(","));
  const [testsEnabled, setTestsEnabled] = useState(settings.testsEnabled);
  const [testTags, setTestTags] = useState(settings.testTags ?? "");
  const [odooVersion, setOdooVersion] = useState(settings.odooVersion ?? "");
  const [odooRevision, setOdooRevision] = useState(settings.odooRevision ?? "");
  const custom = !useDefault;
  const preview = imagePreview(project, odooVersion, odooRevision);

  if (!shown.pushBehaviors.length && !shown.developmentBehaviour && !shown.odooVersion) {
    return (
      <div className="space-y-2 text-sm text-slate-600" data-testid="branch-settings" data-stage={stage}>
        <p>
          A production branch has none of the settings of development and staging branches: its new commits always update the production
          database (with a backup first), its modules follow the update rule of the project and it runs the project&apos;s Odoo version (
          {project.odooVersion}, <span className="font-mono">{project.odooImage}</span>).
        </p>
      </div>
    );
  }

  return (
    <form action={action} className="space-y-5" data-testid="branch-settings" data-stage={stage}>
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="branch" value={branch} />

      {shown.pushBehaviors.length > 0 ? (
        <Section title="Behaviour upon new commits" testId="settings-push-behavior">
          {shown.pushBehaviors.map((p) => (
            <label key={p} className="flex items-start gap-2 text-sm">
              <input
                type="radio"
                name="pushBehavior"
                value={p}
                checked={pushBehavior === p}
                onChange={() => setPushBehavior(p)}
                className="mt-1"
              />
              <span>
                <span className="font-medium text-slate-800">{pushBehaviorLabels[p]}</span>
                <span className="block text-slate-500">{pushHelp[p]}</span>
              </span>
            </label>
          ))}
        </Section>
      ) : null}

      {shown.developmentBehaviour ? (
        <Section title="Development build behaviour" testId="settings-development-behaviour">
          <input type="hidden" name="developmentBehaviour" value="1" />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="useDefault" checked={useDefault} onChange={(e) => setUseDefault(e.target.checked)} />
            <span className="font-medium text-slate-800">Use Default</span>
            <span className="text-slate-500">(only my modules, with their tests)</span>
          </label>
          <div className={`space-y-2 pl-6 ${custom ? "" : "opacity-50"}`}>
            <p className="text-sm font-medium text-slate-700">Module installation</p>
            {installModes.map((m) => (
              <label key={m} className="flex items-center gap-2 text-sm">
                <input
                  type="radio"
                  name="installMode"
                  value={m}
                  checked={installMode === m}
                  disabled={!custom}
                  onChange={() => setInstallMode(m)}
                />
                <span>{installModeLabels[m]}</span>
              </label>
            ))}
            {installMode === "list" ? (
              <label className="block text-sm">
                <span className="mb-1 block text-slate-600">Technical names, separated by commas</span>
                <input
                  name="installModules"
                  value={installModules}
                  disabled={!custom}
                  onChange={(e) => setInstallModules(e.target.value)}
                  placeholder="sale_management,website"
                  maxLength={5000}
                  className={`${inputClass} font-mono`}
                />
                <span className="mt-1 block text-xs text-slate-500">
                  {discovered
                    ? `Modules found by build #${discovered.buildNumber}: ${discovered.modules.join(", ") || "none"}.`
                    : "No build of this branch has found its modules yet."}
                </span>
              </label>
            ) : null}

            <p className="pt-2 text-sm font-medium text-slate-700">Test suite</p>
            <label className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                name="testsEnabled"
                checked={testsEnabled}
                disabled={!custom}
                onChange={(e) => setTestsEnabled(e.target.checked)}
              />
              <span>Validate the test suite on new builds</span>
            </label>
            {installMode === "full" && custom ? (
              <p className="text-xs text-slate-500">A full installation never runs the test suite.</p>
            ) : null}
            <label className="block text-sm">
              <span className="mb-1 block text-slate-600">
                Test tags, separated by commas (empty: the tests of the branch&apos;s modules; <code>standard</code>: every installed
                module&apos;s tests)
              </span>
              <input
                name="testTags"
                value={testTags}
                disabled={!custom}
                onChange={(e) => setTestTags(e.target.value)}
                placeholder="custom_tags,at_install,post_install"
                maxLength={1000}
                data-testid="settings-test-tags"
                className={`${inputClass} font-mono`}
              />
            </label>
          </div>
        </Section>
      ) : null}

      {shown.odooVersion ? (
        <Section title="Odoo version" testId="settings-odoo-version">
          <div className="grid gap-3 sm:grid-cols-2">
            <label className="block text-sm">
              <span className="mb-1 block font-medium text-slate-700">Version</span>
              <select name="odooVersion" value={odooVersion} onChange={(e) => setOdooVersion(e.target.value)} className={inputClass}>
                <option value="">The project&apos;s ({project.odooVersion})</option>
                {odooSeries
                  .filter((v) => v !== project.odooVersion)
                  .map((v) => (
                    <option key={v} value={v}>
                      {v}
                    </option>
                  ))}
              </select>
            </label>
            <label className="block text-sm">
              <span className="mb-1 block font-medium text-slate-700">Revision</span>
              <input
                name="odooRevision"
                value={odooRevision}
                onChange={(e) => setOdooRevision(e.target.value)}
                placeholder="Latest"
                maxLength={100}
                className={`${inputClass} font-mono`}
              />
            </label>
          </div>
          <p className="text-xs text-slate-500">
            Latest follows the image&apos;s version tag. A revision pins a dated tag (YYYYMMDD, e.g. 17.0-20250110) or an image digest
            (sha256:…); the image must exist on this Slipway&apos;s Docker engine.
          </p>
          <p className="text-xs" data-testid="settings-image">
            {preview.image ? (
              <>
                <span className="text-slate-500">Next builds start from </span>
                <span className="font-mono text-slate-800">{preview.image}</span>
              </>
            ) : (
              <span className="text-red-700">{preview.error}</span>
            )}
          </p>
        </Section>
      ) : null}

      <div className="flex items-center gap-3 border-t border-slate-100 pt-4">
        <button type="submit" className={primaryButtonClass} disabled={pending}>
          {pending ? "Saving…" : "Save"}
        </button>
        {state.notice && !pending ? (
          <p role="status" data-testid="branch-settings-notice" className="text-sm text-green-800">
            {state.notice}
          </p>
        ) : null}
        {state.error && !pending ? (
          <p role="alert" data-testid="branch-settings-error" className="text-sm text-red-700">
            {state.error}
          </p>
        ) : null}
      </div>
    </form>
  );
}
