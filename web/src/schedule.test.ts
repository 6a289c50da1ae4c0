import { describe, expect, it } from "vitest";
import { formatTime, fromCron, parseTime, toCron, weekdayField, type Weekday } from "./schedule";
import { describeSchedule } from "./i18n";

describe("schedule builder → cron", () => {
  const cases: [string, { hour: number; minute: number; weekdays: Weekday[] }, string][] = [
    ["weekdays at 08:00", { hour: 8, minute: 0, weekdays: [1, 2, 3, 4, 5] }, "0 8 * * 1-5"],
    ["every day at 07:30", { hour: 7, minute: 30, weekdays: [0, 1, 2, 3, 4, 5, 6] }, "30 7 * * *"],
    ["weekends at 10:05", { hour: 10, minute: 5, weekdays: [6, 0] }, "5 10 * * 0,6"],
    ["mixed days", { hour: 23, minute: 59, weekdays: [1, 3, 4, 5] }, "59 23 * * 1,3-5"],
    ["two neighbours stay a list", { hour: 0, minute: 0, weekdays: [2, 3] }, "0 0 * * 2,3"],
  ];
  for (const [name, schedule, cron] of cases) {
    it(name, () => expect(toCron(schedule)).toBe(cron));
  }

  it("ignores repeated days", () => expect(weekdayField([1, 1, 2, 3])).toBe("1-3"));
});

describe("cron → schedule builder", () => {
  it("reads what the builder writes", () => {
    for (const cron of ["0 8 * * 1-5", "30 7 * * *", "5 10 * * 0,6", "59 23 * * 1,3-5"]) {
      const schedule = fromCron(cron);
      expect(schedule, cron).not.toBeNull();
      expect(toCron(schedule!), cron).toBe(cron);
    }
  });

  it("understands day names, 7 as Sunday and ranges ending on Sunday", () => {
    expect(fromCron("0 8 * * MON-FRI")?.weekdays).toEqual([1, 2, 3, 4, 5]);
    expect(fromCron("0 8 * * sat,sun")?.weekdays).toEqual([0, 6]);
    expect(fromCron("0 8 * * 7")?.weekdays).toEqual([0]);
    expect(fromCron("0 8 * * 5-7")?.weekdays).toEqual([0, 5, 6]);
    expect(fromCron("  15   6 * *   ?  ")).toEqual({ hour: 6, minute: 15, weekdays: [0, 1, 2, 3, 4, 5, 6] });
  });

  it("leaves to the raw field what the builder cannot show", () => {
    const advanced = [
      "*/5 * * * *",
      "0 8,18 * * *",
      "0 8 1 * *",
      "0 8 * 1 *",
      "0 8-10 * * 1",
      "0 24 * * *",
      "60 8 * * *",
      "0 8 * * 8",
      "0 8 * * 5-1",
      "0 8 * *",
      "0 0 8 * * 1",
      "",
    ];
    for (const cron of advanced) expect(fromCron(cron), cron).toBeNull();
  });
});

describe("time input", () => {
  it("round-trips", () => {
    expect(parseTime("08:05")).toEqual({ hour: 8, minute: 5 });
    expect(formatTime(8, 5)).toBe("08:05");
    expect(parseTime("24:00")).toBeNull();
    expect(parseTime("8")).toBeNull();
  });
});

describe("schedule in words", () => {
  it("names common sets of days", () => {
    expect(describeSchedule({ hour: 8, minute: 0, weekdays: [1, 2, 3, 4, 5] }, "en")).toBe("Weekdays at 08:00");
    expect(describeSchedule({ hour: 8, minute: 0, weekdays: [1, 2, 3, 4, 5] }, "ko")).toBe("평일 08:00");
    expect(describeSchedule({ hour: 21, minute: 30, weekdays: [0, 6] }, "en")).toBe("Weekends at 21:30");
    expect(describeSchedule({ hour: 7, minute: 0, weekdays: [0, 1, 2, 3, 4, 5, 6] }, "ko")).toBe("매일 07:00");
  });

  it("joins three or more neighbouring days into a range", () => {
    expect(describeSchedule({ hour: 7, minute: 30, weekdays: [1, 2, 3, 4, 5, 6] }, "en")).toBe("Mon–Sat at 07:30");
    expect(describeSchedule({ hour: 7, minute: 30, weekdays: [5, 6, 0, 2] }, "ko")).toBe("화, 금–일 07:30");
  });

  it("lists other days Monday first", () => {
    expect(describeSchedule({ hour: 7, minute: 0, weekdays: [0, 1, 3] }, "en")).toBe("Mon, Wed, Sun at 07:00");
    expect(describeSchedule({ hour: 7, minute: 0, weekdays: [0, 1, 3] }, "ko")).toBe("월, 수, 일 07:00");
  });
});
