import { api, type DockerEngine } from "./engine";
import { engineCall, isNotFound } from "./errors";
import { fromDockerLabels, labelFilters, toDockerLabels, type LabelSelector, type SlipwayLabels } from "./labels";

export interface VolumeInfo {
  name: string;
  labels: Record<string, string>;
  mountpoint: string;
}

/** Creates a named local volume unless it exists (the engine's create is idempotent by name). */
export async function ensureVolume(options: { docker: DockerEngine; name: string; labels: SlipwayLabels }): Promise<VolumeInfo> {
  const existing = await inspectVolume(options);
  if (existing) return existing;
  await engineCall(`create volume ${options.name}`, () =>
    api(options.docker).createVolume({ Name: options.name, Driver: "local", Labels: toDockerLabels(options.labels) }),
  );
  const created = await inspectVolume(options);
  if (!created) throw new Error(`volume ${options.name} vanished after creation`);
  return created;
}

export async function inspectVolume(options: { docker: DockerEngine; name: string }): Promise<VolumeInfo | null> {
  try {
    const v = await api(options.docker).getVolume(options.name).inspect();
    return { name: v.Name, labels: fromDockerLabels(v.Labels), mountpoint: v.Mountpoint };
  } catch (error) {
    if (isNotFound(error)) return null;
    return engineCall(`inspect volume ${options.name}`, () => Promise.reject(error));
  }
}

export async function listVolumes(options: { docker: DockerEngine; labels: LabelSelector }): Promise<VolumeInfo[]> {
  const res = await engineCall("list volumes", () => api(options.docker).listVolumes({ filters: labelFilters(options.labels) }));
  return (res.Volumes ?? []).map((v) => ({ name: v.Name, labels: fromDockerLabels(v.Labels), mountpoint: v.Mountpoint }));
}

/** Removes one volume; missing is fine. A volume still used by a container → conflict. */
export async function removeVolume(options: { docker: DockerEngine; name: string }): Promise<void> {
  try {
    await api(options.docker).getVolume(options.name).remove();
  } catch (error) {
    if (!isNotFound(error)) await engineCall(`remove volume ${options.name}`, () => Promise.reject(error));
  }
}

export async function removeVolumes(options: { docker: DockerEngine; labels: LabelSelector }): Promise<number> {
  const volumes = await listVolumes(options);
  for (const v of volumes) await removeVolume({ docker: options.docker, name: v.name });
  return volumes.length;
}
