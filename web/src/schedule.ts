// The schedule builder's model: a time of day and a set of weekdays, and its 5-field cron
// expression (minute hour day-of-month month day-of-week). Expressions the builder cannot show
// (steps, lists of hours, days of the month…) stay in the raw cron field.

/** 0 = Sunday … 6 = Saturday, as cron counts them. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export const ALL_WEEKDAYS: readonly Weekday[] = [0, 1, 2, 3, 4, 5, 6];
/** Monday first, the order people read a week in both languages. */
export const WEEKDAYS_MONDAY_FIRST: readonly Weekday[] = [1, 2, 3, 4, 5, 6, 0];

export interface SimpleSchedule {
  hour: number;
  minute: number;
  /** Never empty: a schedule needs at least one day. */
  weekdays: Weekday[];
}

const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** `{08:00, Mon–Fri}` → `0 8 * * 1-5`. */
export function toCron(schedule: SimpleSchedule): string {
  return `${schedule.minute} ${schedule.hour} * * ${weekdayField(schedule.weekdays)}`;
}

/** The day-of-week field, as short as cron allows: `*`, `1-5`, `0,6`, `1,3-5`. */
export function weekdayField(weekdays: readonly Weekday[]): string {
  const days = [...new Set(weekdays)].sort((a, b) => a - b);
  if (days.length === 7) return "*";
  const parts: string[] = [];
  let start = 0;
  while (start < days.length) {
    let end = start;
    while (end + 1 < days.length && days[end + 1] === days[end] + 1) end++;
    if (end - start >= 2) parts.push(`${days[start]}-${days[end]}`);
    else for (let i = start; i <= end; i++) parts.push(String(days[i]));
    start = end + 1;
  }
  return parts.join(",");
}

/** The builder's form of `expression`, or null when only the raw field can show it. */
export function fromCron(expression: string): SimpleSchedule | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return null;
  const [minuteField, hourField, dayOfMonth, month, dayOfWeek] = fields;
  if (dayOfMonth !== "*" || month !== "*") return null;
  const minute = plainNumber(minuteField, 0, 59);
  const hour = plainNumber(hourField, 0, 23);
  const weekdays = parseWeekdays(dayOfWeek);
  if (minute === null || hour === null || weekdays === null) return null;
  return { hour, minute, weekdays };
}

function plainNumber(field: string, min: number, max: number): number | null {
  if (!/^\d{1,2}$/.test(field)) return null;
  const value = Number(field);
  return value >= min && value <= max ? value : null;
}

function weekdayNumber(token: string): number | null {
  const upper = token.toUpperCase();
  const named = DAY_NAMES.indexOf(upper);
  if (named >= 0) return named;
  if (!/^\d$/.test(token)) return null;
  const value = Number(token);
  // Cron allows 7 for Sunday too.
  return value <= 7 ? value % 7 : null;
}

function parseWeekdays(field: string): Weekday[] | null {
  if (field === "*" || field === "?") return [...ALL_WEEKDAYS];
  const days = new Set<Weekday>();
  for (const part of field.split(",")) {
    const range = part.split("-");
    if (range.length === 1) {
      const day = weekdayNumber(range[0]);
      if (day === null) return null;
      days.add(day as Weekday);
    } else if (range.length === 2) {
      const from = weekdayNumber(range[0]);
      // `5-7` means Friday to Sunday: keep 7 as the end of the week here.
      const to = range[1] === "7" ? 7 : weekdayNumber(range[1]);
      if (from === null || to === null || to < from) return null;
      for (let day = from; day <= to; day++) days.add((day % 7) as Weekday);
    } else {
      return null;
    }
  }
  return days.size ? [...days].sort((a, b) => a - b) : null;
}

export function isWeekdaysOnly(weekdays: readonly Weekday[]): boolean {
  return weekdays.length === 5 && [1, 2, 3, 4, 5].every((d) => weekdays.includes(d as Weekday));
}

export function isWeekendOnly(weekdays: readonly Weekday[]): boolean {
  return weekdays.length === 2 && weekdays.includes(0) && weekdays.includes(6);
}

/** `8, 5` → `08:05`. */
export function formatTime(hour: number, minute: number): string {
  return `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}

/** `08:05` (an `<input type=time>` value) → `{hour: 8, minute: 5}`. */
export function parseTime(value: string): { hour: number; minute: number } | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  return hour <= 23 && minute <= 59 ? { hour, minute } : null;
}
