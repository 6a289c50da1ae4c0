// The alert form's content part: plain text, or the fine dust at an AirKorea station with an
// optional condition. The form edits a draft of plain values; this module turns the draft into
// the request's `AlertContent` (or the fields to fix), reads a stored alert back into a draft,
// and says conditions, grades and distances in words.

import type { MessageInitShape } from "@bufbuild/protobuf";
import { AirQualityGrade } from "./gen/alert/v1/air_quality_pb";
import {
  AirQualityMeasure,
  UnavailableMeasurementPolicy,
  type AirQualityCondition,
  type AirQualityConditionSchema,
  type AlertContent,
  type AlertContentSchema,
} from "./gen/alert/v1/alerts_pb";
import { translator, type Lang, type MessageKey } from "./i18n";

export type ContentKind = "plain" | "airQuality";
export type ThresholdKind = "grade" | "value";

export interface AirQualityDraft {
  /** The chosen station's name as AirKorea lists it; empty until one is chosen. */
  station: string;
  conditionOn: boolean;
  measure: AirQualityMeasure;
  thresholdKind: ThresholdKind;
  grade: AirQualityGrade;
  /** What the value box holds, as typed. */
  value: string;
  whenUnavailable: UnavailableMeasurementPolicy;
}

export interface ContentDraft {
  kind: ContentKind;
  /** Kept while the plain kind is chosen, so switching back and forth loses nothing. */
  airQuality: AirQualityDraft;
}

/** The highest value threshold the server accepts, µg/m³. */
export const MAX_THRESHOLD_VALUE = 1000;

/** Where the server names these fields in its violations, and so where the form shows them. */
export const STATION_FIELD = "content.air_quality.station";
export const CONDITION_FIELD = "content.air_quality.condition";

export const GRADES: readonly AirQualityGrade[] = [
  AirQualityGrade.GOOD, AirQualityGrade.MODERATE, AirQualityGrade.BAD, AirQualityGrade.VERY_BAD,
];
export const MEASURES: readonly AirQualityMeasure[] = [
  AirQualityMeasure.PM25, AirQualityMeasure.PM10, AirQualityMeasure.WORSE,
];
/** What a title or body template can say, in the server's words. */
export const PLACEHOLDERS = ["station", "pm10", "pm25", "pm10_grade", "pm25_grade", "grade", "time"] as const;

/** "PM2.5 bad or worse": the condition people ask for most (the Korean 나쁨 grade). */
export const DEFAULT_AIR_QUALITY: AirQualityDraft = {
  station: "",
  conditionOn: false,
  measure: AirQualityMeasure.PM25,
  thresholdKind: "grade",
  grade: AirQualityGrade.BAD,
  value: "36",
  whenUnavailable: UnavailableMeasurementPolicy.SEND,
};

export function newContentDraft(): ContentDraft {
  return { kind: "plain", airQuality: { ...DEFAULT_AIR_QUALITY } };
}

type ContentInit = MessageInitShape<typeof AlertContentSchema>;
type ConditionInit = MessageInitShape<typeof AirQualityConditionSchema>;

/** The request's content, or message keys by the server's field names when the draft is incomplete. */
export type BuiltContent =
  | { ok: true; content: ContentInit }
  | { ok: false; errors: Record<string, MessageKey> };

/** A whole number of µg/m³ the server accepts, or null. */
export function parseThresholdValue(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,4}$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= 1 && value <= MAX_THRESHOLD_VALUE ? value : null;
}

/**
 * The draft's condition. The worse of the two compares grades only (PM10 and PM2.5 values are on
 * different scales), so a value threshold needs PM10 or PM2.5.
 */
function buildCondition(draft: AirQualityDraft): ConditionInit | MessageKey | undefined {
  if (!draft.conditionOn) return undefined;
  if (draft.thresholdKind === "grade") {
    if (!GRADES.includes(draft.grade)) return "pickAGrade";
    return { measure: draft.measure, threshold: { case: "atLeastGrade", value: draft.grade } };
  }
  if (draft.measure === AirQualityMeasure.WORSE) return "worseComparesGrades";
  const value = parseThresholdValue(draft.value);
  if (value === null) return "thresholdValueRange";
  return { measure: draft.measure, threshold: { case: "atLeastValue", value } };
}

export function buildContent(draft: ContentDraft): BuiltContent {
  if (draft.kind === "plain") return { ok: true, content: { kind: { case: "plain", value: {} } } };
  const errors: Record<string, MessageKey> = {};
  const station = draft.airQuality.station.trim();
  if (!station) errors[STATION_FIELD] = "chooseAStation";
  const condition = buildCondition(draft.airQuality);
  if (typeof condition === "string") errors[CONDITION_FIELD] = condition;
  if (typeof condition === "string" || Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    content: {
      kind: {
        case: "airQuality",
        value: { station, condition, whenUnavailable: draft.airQuality.whenUnavailable },
      },
    },
  };
}

/** A stored alert's content as a draft; plain when the server sent none. */
export function draftFromContent(content: AlertContent | undefined): ContentDraft {
  if (content?.kind.case !== "airQuality") return newContentDraft();
  const stored = content.kind.value;
  const draft: AirQualityDraft = {
    ...DEFAULT_AIR_QUALITY,
    station: stored.station,
    whenUnavailable: stored.whenUnavailable === UnavailableMeasurementPolicy.SKIP
      ? UnavailableMeasurementPolicy.SKIP
      : UnavailableMeasurementPolicy.SEND,
  };
  const condition = stored.condition;
  if (condition) {
    draft.conditionOn = true;
    draft.measure = condition.measure;
    if (condition.threshold.case === "atLeastValue") {
      draft.thresholdKind = "value";
      draft.value = String(condition.threshold.value);
    } else if (condition.threshold.case === "atLeastGrade") {
      draft.thresholdKind = "grade";
      draft.grade = condition.threshold.value;
    }
  }
  return { kind: "airQuality", airQuality: draft };
}

/** Picking the worse of the two moves a value threshold to a grade: it has no value. */
export function withMeasure(draft: AirQualityDraft, measure: AirQualityMeasure): AirQualityDraft {
  const thresholdKind = measure === AirQualityMeasure.WORSE ? "grade" : draft.thresholdKind;
  return { ...draft, measure, thresholdKind };
}

const GRADE_KEYS: Record<AirQualityGrade, MessageKey> = {
  [AirQualityGrade.UNSPECIFIED]: "unavailable",
  [AirQualityGrade.GOOD]: "grade.good",
  [AirQualityGrade.MODERATE]: "grade.moderate",
  [AirQualityGrade.BAD]: "grade.bad",
  [AirQualityGrade.VERY_BAD]: "grade.veryBad",
};

/** `Bad` / `나쁨`, the words the notifications use; `unavailable` for no grade. */
export function gradeWord(grade: AirQualityGrade, lang: Lang): string {
  return translator(lang)(GRADE_KEYS[grade] ?? "unavailable");
}

/** The CSS class of a grade's colour. */
export function gradeClass(grade: AirQualityGrade): string {
  return (GRADE_KEYS[grade] ?? "unavailable").replace("grade.", "grade-");
}

const MEASURE_KEYS: Record<AirQualityMeasure, MessageKey> = {
  [AirQualityMeasure.UNSPECIFIED]: "conditionMeasure.worse",
  [AirQualityMeasure.PM10]: "conditionMeasure.pm10",
  [AirQualityMeasure.PM25]: "conditionMeasure.pm25",
  [AirQualityMeasure.WORSE]: "conditionMeasure.worse",
};

/** `when PM2.5 is bad or worse`, `미세먼지가 80㎍/㎥ 이상일 때`; `every time` without a condition. */
export function describeCondition(condition: AirQualityCondition | undefined, lang: Lang): string {
  const t = translator(lang);
  if (!condition) return t("everyTime");
  const measure = t(MEASURE_KEYS[condition.measure] ?? "conditionMeasure.worse");
  switch (condition.threshold.case) {
    case "atLeastGrade":
      return t("conditionGrade", { measure, grade: gradeWord(condition.threshold.value, lang).toLowerCase() });
    case "atLeastValue":
      return t("conditionValue", { measure, value: condition.threshold.value });
    default:
      return t("everyTime");
  }
}

/** `0.4 km`, `12 km`: one decimal while it matters. */
export function formatDistance(km: number, lang: Lang): string {
  const digits = km < 10 ? 1 : 0;
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(km)} km`;
}

/** `{station}, {pm10}, …`: the placeholders as a template writes them. */
export function placeholderList(): string {
  return PLACEHOLDERS.map((name) => `{${name}}`).join(" ");
}
