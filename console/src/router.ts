// Client-side routes under /console: the server answers every /console/* path
// with the app, so a reload or a shared link opens the same page.
import { useEffect, useState } from "preact/hooks";

export const BASE = "/console";

export function currentPage(): string {
  const rest = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : "";
  return rest.replace(/^\/+/, "").split("/")[0] || "access";
}

export function navigate(page: string): void {
  history.pushState(null, "", `${BASE}/${page}`);
  dispatchEvent(new PopStateEvent("popstate"));
}

export function usePage(): string {
  const [page, setPage] = useState(currentPage());
  useEffect(() => {
    const update = () => setPage(currentPage());
    addEventListener("popstate", update);
    return () => removeEventListener("popstate", update);
  }, []);
  return page;
}
