import { createWriteStream, mkdirSync, readdirSync } from "node:fs";
import { dirname } from "node:path";
import { DomainError } from "@slipway/domain";
import { api, type DockerEngine } from "./engine";
import { engineCall, isNotFound } from "./errors";
import { fromDockerLabels, toDockerLabels, type SlipwayLabels } from "./labels";

export interface ImageInfo {
  id: string;
  tags: string[];
  /** Our labels (prefix stripped). */
  labels: Record<string, string>;
  /** Every label, as the image author set them. */
  allLabels: Record<string, string>;
  user: string;
  createdAt: string;
}

export async function inspectImage(options: { docker: DockerEngine; image: string }): Promise<ImageInfo | null> {
  try {
    const i = await api(options.docker).getImage(options.image).inspect();
    const labels = (i.Config?.Labels ?? {}) as Record<string, string>;
    return {
      id: i.Id,
      tags: i.RepoTags ?? [],
      labels: fromDockerLabels(labels),
      allLabels: labels,
      user: i.Config?.User ?? "",
      createdAt: i.Created,
    };
  } catch (error) {
    if (isNotFound(error)) return null;
    return engineCall(`inspect image ${options.image}`, () => Promise.reject(error));
  }
}

export async function imageExists(options: { docker: DockerEngine; image: string }): Promise<boolean> {
  return (await inspectImage(options)) !== null;
}

export async function removeImage(options: { docker: DockerEngine; image: string; force?: boolean }): Promise<void> {
  try {
    await api(options.docker)
      .getImage(options.image)
      .remove({ force: options.force ?? false });
  } catch (error) {
    if (!isNotFound(error)) await engineCall(`remove image ${options.image}`, () => Promise.reject(error));
  }
}

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

export interface BuildImageOptions {
  docker: DockerEngine;
  /** Folder holding the Dockerfile and everything it copies (a .dockerignore is honoured). */
  context: string;
  tag: string;
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  labels: SlipwayLabels;
  /** Progress text as the builder prints it. */
  onProgress?: (text: string) => void;
  /** The whole build output goes to this file (truncated first). */
  logFile?: string;
  noCache?: boolean;
  /** Network of the build's RUN steps (a network name; default: the engine's bridge). */
  networkMode?: string;
}

/**
 * Builds with the engine's legacy builder (no BuildKit on these machines) and never pulls: the
 * base image must be local. A failing step rejects with upstream_failed carrying the builder's
 * error message (also written to the log).
 */
export async function buildImage(options: BuildImageOptions): Promise<{ imageId: string; tag: string }> {
  const { docker } = options;
  let log: ReturnType<typeof createWriteStream> | null = null;
  if (options.logFile) {
    mkdirSync(dirname(options.logFile), { recursive: true });
    log = createWriteStream(options.logFile, { flags: "w" });
  }
  const emit = (text: string) => {
    log?.write(text);
    options.onProgress?.(text);
  };
  try {
    const src = readdirSync(options.context);
    const stream = await engineCall(`build image ${options.tag}`, () =>
      (api(docker).buildImage as unknown as (ctx: unknown, opts: unknown) => Promise<NodeJS.ReadableStream>)(
        { context: options.context, src },
        {
          t: options.tag,
          dockerfile: options.dockerfile ?? "Dockerfile",
          buildargs: options.buildArgs ?? {},
          labels: toDockerLabels(options.labels),
          nocache: options.noCache ?? false,
          pull: false,
          ...(options.networkMode ? { networkmode: options.networkMode } : {}),
          rm: true,
          forcerm: true,
          version: "1",
        },
      ),
    );
    let imageId = "";
    let failure: string | null = null;
    await new Promise<void>((resolve, reject) => {
      api(docker).modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (event: BuildEvent) => {
          if (event.stream) emit(event.stream);
          if (event.status) emit(`${event.status}\n`);
          if (event.aux?.ID) imageId = event.aux.ID;
          if (event.error) {
            failure = event.errorDetail?.message ?? event.error;
            emit(`ERROR: ${failure}\n`);
          }
        },
      );
    }).catch((error: unknown) => {
      failure = failure ?? String((error as Error).message ?? error);
    });
    if (failure) throw new DomainError("upstream_failed", `image build ${options.tag} failed: ${failure}`);
    const info = await inspectImage({ docker, image: options.tag });
    if (!info) throw new DomainError("upstream_failed", `image build ${options.tag} produced no image`);
    return { imageId: imageId || info.id, tag: options.tag };
  } finally {
    await new Promise<void>((resolve) => (log ? log.end(() => resolve()) : resolve()));
  }
}
