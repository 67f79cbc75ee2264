import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { classifyRun, type RunClassification } from "@slipway/domain";
import { buildImage, inspectImage, type DockerEngine } from "@slipway/docker";

export const REQUIREMENTS_IMAGE_REPO = "slipway/odoo-requirements";

export interface RequirementsImageResult {
  /** The image to run (the base image itself when there is nothing to install). */
  image: string;
  built: boolean;
  reused: boolean;
  logFile: string;
  durationMs: number;
  classification: RunClassification;
}

/** Tag = hash of the base image id and the requirements hash (from discovery). */
export function requirementsTag(baseImageId: string, requirementsHash: string): string {
  const digest = createHash("sha256").update(`${baseImageId}\n${requirementsHash}`).digest("hex").slice(0, 32);
  return `${REQUIREMENTS_IMAGE_REPO}:${digest}`;
}

function dockerfile(base: string, count: number, user: string): string {
  const reqs = Array.from({ length: count }, (_, i) => `-r /tmp/slipway-requirements/${i}.txt`).join(" ");
  // Root for a system-wide install (the image user usually cannot write site-packages); Debian
  // 12 based images refuse without PIP_BREAK_SYSTEM_PACKAGES (PEP 668). Back to the image's user.
  return [
    `FROM ${base}`,
    "USER root",
    "COPY requirements/ /tmp/slipway-requirements/",
    `RUN PIP_BREAK_SYSTEM_PACKAGES=1 pip3 install --no-cache-dir ${reqs} && rm -rf /tmp/slipway-requirements`,
    `USER ${user || "odoo"}`,
    "",
  ].join("\n");
}

/**
 * The image a build runs: the Odoo image itself, or a derived image that pip-installs the
 * checkout's requirements files, cached by content hash (reused when it exists). pip's output goes
 * to pip.log; a failure is a red step with the builder's reason, never an exception.
 */
export async function ensureRequirementsImage(options: {
  docker: DockerEngine;
  baseImage: string;
  checkoutPath: string;
  /** requirements.txt paths relative to the checkout (discovery); empty = nothing to install. */
  requirementsFiles: readonly string[];
  requirementsHash: string;
  logDir: string;
  labels: Record<string, string>;
  /**
   * Network of pip's RUN step: the platform's build-egress network (host firewall: no host
   * services, no private or link-local addresses; ADR 0005). Default: the engine's bridge.
   */
  network?: string;
}): Promise<RequirementsImageResult> {
  const started = Date.now();
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, "pip.log");
  const done = (image: string, built: boolean, reused: boolean, output: string, error?: string): RequirementsImageResult => {
    const classification = classifyRun({ kind: "pip", exitCode: error ? 1 : 0, output });
    if (error) classification.reasons.unshift(error);
    return { image, built, reused, logFile, durationMs: Date.now() - started, classification };
  };
  if (options.requirementsFiles.length === 0) {
    writeFileSync(logFile, "[slipway] no requirements.txt: using the Odoo image as is\n");
    return done(options.baseImage, false, false, "");
  }
  const base = await inspectImage({ docker: options.docker, image: options.baseImage }).catch(() => null);
  if (!base) {
    writeFileSync(logFile, `[slipway] Odoo image ${options.baseImage} not found\n`);
    return done(options.baseImage, false, false, "", `Odoo image ${options.baseImage} not found`);
  }
  const tag = requirementsTag(base.id, options.requirementsHash);
  if (await inspectImage({ docker: options.docker, image: tag })) {
    writeFileSync(logFile, `[slipway] requirements image ${tag} reused (hash ${options.requirementsHash})\n`);
    return done(tag, false, true, "");
  }
  const context = mkdtempSync(join(tmpdir(), "slipway-req-"));
  let output = "";
  try {
    mkdirSync(join(context, "requirements"));
    const root = resolve(options.checkoutPath);
    options.requirementsFiles.forEach((rel, i) => {
      const source = resolve(root, rel);
      if (!source.startsWith(root + sep)) throw new Error(`requirements file outside the checkout: ${rel}`);
      copyFileSync(source, join(context, "requirements", `${i}.txt`));
    });
    writeFileSync(join(context, "Dockerfile"), dockerfile(options.baseImage, options.requirementsFiles.length, base.user));
    await buildImage({
      docker: options.docker,
      context,
      tag,
      labels: { ...options.labels, role: "odoo-requirements-image", "requirements-hash": options.requirementsHash },
      logFile,
      onProgress: (t) => (output += t),
      networkMode: options.network,
    });
    return done(tag, true, false, output);
  } catch (error) {
    return done(options.baseImage, false, false, output, `requirements install failed: ${(error as Error).message}`);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}
