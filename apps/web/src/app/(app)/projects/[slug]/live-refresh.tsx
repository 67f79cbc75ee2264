"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * Keeps a project page current without reloads: the server streams a notice whenever a build or
 * branch of the project changes, and the page re-renders its server components (debounced).
 */
export function LiveRefresh({ slug }: { slug: string }) {
  const router = useRouter();
  useEffect(() => {
    const source = new EventSource(`/api/projects/${encodeURIComponent(slug)}/events`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onNotice = () => {
      clearTimeout(timer);
      timer = setTimeout(() => router.refresh(), 300);
    };
    // After a dropped connection, notices may have been missed: re-read once reconnected.
    let opened = false;
    const onOpen = () => {
      if (opened) onNotice();
      opened = true;
    };
    source.addEventListener("notice", onNotice);
    source.addEventListener("open", onOpen);
    return () => {
      clearTimeout(timer);
      source.removeEventListener("notice", onNotice);
      source.removeEventListener("open", onOpen);
      source.close();
    };
  }, [slug, router]);
  return null;
}
