// Showing fire times: the server computes them (DST-correct, as EventBridge fires) as RFC 3339
// strings with the alert's UTC offset; the app shows them as wall-clock time in the alert's zone.

export type Lang = "en" | "ko";

/** `2026-11-30T08:00:00+09:00` in `Asia/Seoul` → `Mon 2026-11-30 08:00` (`월 2026-11-30 08:00`). */
export function formatRun(rfc3339: string, timeZone: string, lang: Lang): string {
  const instant = new Date(rfc3339);
  if (Number.isNaN(instant.getTime())) return rfc3339;
  const parts = partsIn(instant, timeZone, lang);
  return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** How far away `rfc3339` is from `now`: `in 5 min`, `in 3 h`, `in 2 days` (or Korean). */
export function formatRelative(rfc3339: string, now: Date, lang: Lang): string {
  const minutes = Math.round((new Date(rfc3339).getTime() - now.getTime()) / 60_000);
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: "always", style: "short" });
  if (Math.abs(minutes) < 60) return rtf.format(minutes, "minute");
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 48) return rtf.format(hours, "hour");
  return rtf.format(Math.round(hours / 24), "day");
}

/** The browser's time zone, the default for new alerts. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "Asia/Seoul";
}

/** Whether the browser knows `timeZone` (the server has the last word). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}

function partsIn(instant: Date, timeZone: string, lang: Lang): Record<string, string> {
  const weekday = new Intl.DateTimeFormat(lang, { timeZone, weekday: "short" }).format(instant);
  const numeric = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(instant);
  const parts: Record<string, string> = { weekday };
  for (const part of numeric) parts[part.type] = part.value;
  return parts;
}
