import { describe, expect, it } from "vitest";
import { formatRelative, formatRun, isKnownTimeZone } from "./nextRuns";

describe("next runs display", () => {
  it("shows the wall-clock time in the alert's time zone", () => {
    expect(formatRun("2026-11-30T08:00:00+09:00", "Asia/Seoul", "en")).toBe("Mon 2026-11-30 08:00");
    expect(formatRun("2026-11-30T08:00:00+09:00", "Asia/Seoul", "ko")).toBe("월 2026-11-30 08:00");
  });

  it("converts an instant given with another offset", () => {
    // 23:00 UTC on Sunday is 08:00 on Monday in Seoul.
    expect(formatRun("2026-11-29T23:00:00Z", "Asia/Seoul", "en")).toBe("Mon 2026-11-30 08:00");
    expect(formatRun("2026-11-30T08:00:00+09:00", "America/New_York", "en")).toBe("Sun 2026-11-29 18:00");
  });

  it("follows daylight saving time in the alert's zone", () => {
    // New York: 08:00 EST (-05:00) before 8 March 2026, 08:00 EDT (-04:00) after.
    expect(formatRun("2026-03-06T08:00:00-05:00", "America/New_York", "en")).toBe("Fri 2026-03-06 08:00");
    expect(formatRun("2026-03-09T08:00:00-04:00", "America/New_York", "en")).toBe("Mon 2026-03-09 08:00");
  });

  it("shows midnight as 00:00, not 24:00", () => {
    expect(formatRun("2026-01-01T00:00:00+09:00", "Asia/Seoul", "en")).toBe("Thu 2026-01-01 00:00");
  });

  it("leaves text it cannot read as it is", () => {
    expect(formatRun("soon", "Asia/Seoul", "en")).toBe("soon");
  });

  it("says how far away a run is", () => {
    const now = new Date("2026-11-30T07:00:00+09:00");
    expect(formatRelative("2026-11-30T07:05:00+09:00", now, "en")).toBe("in 5 min.");
    expect(formatRelative("2026-11-30T10:00:00+09:00", now, "en")).toBe("in 3 hr.");
    expect(formatRelative("2026-12-03T07:00:00+09:00", now, "en")).toBe("in 3 days");
    expect(formatRelative("2026-11-30T10:00:00+09:00", now, "ko")).toBe("3시간 후");
  });

  it("knows a time zone from a typo", () => {
    expect(isKnownTimeZone("Asia/Seoul")).toBe(true);
    expect(isKnownTimeZone("Asia/Sool")).toBe(false);
  });
});
