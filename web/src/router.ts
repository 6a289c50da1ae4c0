// Hash routes (`#/alerts/ID`): the gateway's REST paths (`/alerts/…`) own the real paths, so the
// app never collides with them and every page is served by the same index.html.

import { useEffect, useState } from "preact/hooks";

export type Route =
  | { page: "list" }
  | { page: "new" }
  | { page: "edit"; id: string }
  | { page: "history"; id: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "") || "/";
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "new") return { page: "new" };
  if (parts[0] === "alerts" && parts[1] && parts[2] === "history") return { page: "history", id: parts[1] };
  if (parts[0] === "alerts" && parts[1]) return { page: "edit", id: parts[1] };
  return { page: "list" };
}

export function href(route: Route): string {
  switch (route.page) {
    case "list":
      return "#/";
    case "new":
      return "#/new";
    case "edit":
      return `#/alerts/${encodeURIComponent(route.id)}`;
    case "history":
      return `#/alerts/${encodeURIComponent(route.id)}/history`;
  }
}

export function navigate(route: Route): void {
  location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
