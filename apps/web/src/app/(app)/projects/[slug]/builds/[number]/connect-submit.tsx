"use client";

import { useEffect, useRef } from "react";
import type { ConnectState } from "./actions";

/**
 * Posts a signed connect token to the build as a plain HTML form, as soon as the action returns it:
 * the browser navigates to the build with the token in the request body (never in the URL, so
 * neither Odoo's request log nor the browser history holds it).
 */
export function ConnectSubmit({ post }: { post: ConnectState["post"] }) {
  const form = useRef<HTMLFormElement>(null);
  const attempt = post?.attempt;
  useEffect(() => {
    if (attempt !== undefined) form.current?.submit();
  }, [attempt]);
  if (!post) return null;
  return (
    <form ref={form} method="post" action={post.url} className="hidden" data-testid="connect-post">
      <input type="hidden" name="token" value={post.token} />
      <noscript>
        <button type="submit">Open the build</button>
      </noscript>
    </form>
  );
}
