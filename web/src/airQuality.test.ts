import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  buildContent, CONDITION_FIELD, DEFAULT_AIR_QUALITY, describeCondition, draftFromContent, formatDistance,
  gradeWord, newContentDraft, parseThresholdValue, STATION_FIELD, withMeasure, type AirQualityDraft, type ContentDraft,
} from "./airQuality";
import { AirQualityGrade } from "./gen/alert/v1/air_quality_pb";
import {
  AirQualityConditionSchema, AirQualityMeasure, AlertContentSchema, UnavailableMeasurementPolicy,
} from "./gen/alert/v1/alerts_pb";

function airQuality(patch: Partial<AirQualityDraft>): ContentDraft {
  return { kind: "airQuality", airQuality: { ...DEFAULT_AIR_QUALITY, station: "종로구", ...patch } };
}

describe("content of the alert form → request", () => {
  it("plain text is plain content, whatever the air-quality part holds", () => {
    const draft = { ...airQuality({ station: "" }), kind: "plain" as const };
    expect(buildContent(draft)).toEqual({ ok: true, content: { kind: { case: "plain", value: {} } } });
  });

  it("a station without a condition notifies every time and sends when the reading is missing", () => {
    expect(buildContent(airQuality({ station: " 종로구 " }))).toEqual({
      ok: true,
      content: {
        kind: {
          case: "airQuality",
          value: { station: "종로구", condition: undefined, whenUnavailable: UnavailableMeasurementPolicy.SEND },
        },
      },
    });
  });

  const conditions: [string, Partial<AirQualityDraft>, unknown][] = [
    ["PM2.5 at or above bad", { conditionOn: true }, { measure: AirQualityMeasure.PM25, threshold: { case: "atLeastGrade", value: AirQualityGrade.BAD } }],
    ["PM10 at or above 80 µg/m³", { conditionOn: true, measure: AirQualityMeasure.PM10, thresholdKind: "value", value: " 80 " },
      { measure: AirQualityMeasure.PM10, threshold: { case: "atLeastValue", value: 80 } }],
    ["the worse of the two at or above very bad", { conditionOn: true, measure: AirQualityMeasure.WORSE, grade: AirQualityGrade.VERY_BAD },
      { measure: AirQualityMeasure.WORSE, threshold: { case: "atLeastGrade", value: AirQualityGrade.VERY_BAD } }],
    ["a value typed but a grade chosen keeps the grade", { conditionOn: true, thresholdKind: "grade", value: "abc" },
      { measure: AirQualityMeasure.PM25, threshold: { case: "atLeastGrade", value: AirQualityGrade.BAD } }],
    ["a condition switched off is no condition", { conditionOn: false, thresholdKind: "value", value: "0" }, undefined],
  ];
  for (const [name, patch, condition] of conditions) {
    it(name, () => {
      const built = buildContent(airQuality(patch));
      expect(built.ok, name).toBe(true);
      if (!built.ok) return;
      const content = create(AlertContentSchema, built.content);
      expect(content.kind.case).toBe("airQuality");
      const expected = condition === undefined ? undefined : create(AirQualityConditionSchema, condition as never);
      expect(content.kind.case === "airQuality" && content.kind.value.condition).toEqual(expected);
    });
  }

  it("skipping when the reading is missing is sent as SKIP", () => {
    const built = buildContent(airQuality({ whenUnavailable: UnavailableMeasurementPolicy.SKIP }));
    expect(built.ok && built.content.kind?.case === "airQuality" && built.content.kind.value.whenUnavailable)
      .toBe(UnavailableMeasurementPolicy.SKIP);
  });
});

describe("content of the alert form: what to fix", () => {
  const cases: [string, Partial<AirQualityDraft>, Record<string, string>][] = [
    ["no station chosen", { station: "  " }, { [STATION_FIELD]: "chooseAStation" }],
    ["a value of zero", { conditionOn: true, thresholdKind: "value", value: "0" }, { [CONDITION_FIELD]: "thresholdValueRange" }],
    ["a value above 1000", { conditionOn: true, thresholdKind: "value", value: "1001" }, { [CONDITION_FIELD]: "thresholdValueRange" }],
    ["a fraction", { conditionOn: true, thresholdKind: "value", value: "35.5" }, { [CONDITION_FIELD]: "thresholdValueRange" }],
    ["an empty value", { conditionOn: true, thresholdKind: "value", value: "" }, { [CONDITION_FIELD]: "thresholdValueRange" }],
    ["a value for the worse of the two", { conditionOn: true, measure: AirQualityMeasure.WORSE, thresholdKind: "value", value: "50" },
      { [CONDITION_FIELD]: "worseComparesGrades" }],
    ["no grade", { conditionOn: true, grade: AirQualityGrade.UNSPECIFIED }, { [CONDITION_FIELD]: "pickAGrade" }],
    ["both at once", { station: "", conditionOn: true, thresholdKind: "value", value: "-1" },
      { [STATION_FIELD]: "chooseAStation", [CONDITION_FIELD]: "thresholdValueRange" }],
  ];
  for (const [name, patch, errors] of cases) {
    it(name, () => expect(buildContent(airQuality(patch)), name).toEqual({ ok: false, errors }));
  }

  it("threshold values are whole numbers from 1 to 1000", () => {
    expect([" 1", "36", "1000"].map(parseThresholdValue)).toEqual([1, 36, 1000]);
    expect(["0", "1001", "1e2", "-5", "", "12a", "0x10"].map(parseThresholdValue)).toEqual(Array(7).fill(null));
  });

  it("choosing the worse of the two moves a value threshold to a grade", () => {
    const draft = { ...DEFAULT_AIR_QUALITY, thresholdKind: "value" as const };
    expect(withMeasure(draft, AirQualityMeasure.WORSE).thresholdKind).toBe("grade");
    expect(withMeasure(draft, AirQualityMeasure.PM10).thresholdKind).toBe("value");
  });
});

describe("stored content → the alert form", () => {
  it("an alert without content, or with plain content, edits as plain text", () => {
    expect(draftFromContent(undefined)).toEqual(newContentDraft());
    expect(draftFromContent(create(AlertContentSchema, { kind: { case: "plain", value: {} } }))).toEqual(newContentDraft());
  });

  it("what the form builds reads back the same", () => {
    const drafts = [
      airQuality({}),
      airQuality({ conditionOn: true, measure: AirQualityMeasure.PM10, thresholdKind: "value", value: "80" }),
      airQuality({ conditionOn: true, measure: AirQualityMeasure.WORSE, grade: AirQualityGrade.MODERATE,
        whenUnavailable: UnavailableMeasurementPolicy.SKIP }),
    ];
    for (const draft of drafts) {
      const built = buildContent(draft);
      if (!built.ok) throw new Error(JSON.stringify(built.errors));
      expect(draftFromContent(create(AlertContentSchema, built.content))).toEqual(draft);
    }
  });

  it("an unspecified policy (stored before the setting existed) means send", () => {
    const content = create(AlertContentSchema, {
      kind: { case: "airQuality", value: { station: "중구", whenUnavailable: UnavailableMeasurementPolicy.UNSPECIFIED } },
    });
    expect(draftFromContent(content).airQuality.whenUnavailable).toBe(UnavailableMeasurementPolicy.SEND);
  });
});

describe("conditions, grades and distances in words", () => {
  const condition = (init: object) => create(AirQualityConditionSchema, init as never);
  it("says the condition in English and Korean", () => {
    const pm25Bad = condition({ measure: AirQualityMeasure.PM25, threshold: { case: "atLeastGrade", value: AirQualityGrade.BAD } });
    const pm10Value = condition({ measure: AirQualityMeasure.PM10, threshold: { case: "atLeastValue", value: 80 } });
    const worseVeryBad = condition({ measure: AirQualityMeasure.WORSE, threshold: { case: "atLeastGrade", value: AirQualityGrade.VERY_BAD } });
    expect(describeCondition(pm25Bad, "en")).toBe("when PM2.5 is bad or worse");
    expect(describeCondition(pm25Bad, "ko")).toBe("초미세먼지가 나쁨 이상일 때");
    expect(describeCondition(pm10Value, "en")).toBe("when PM10 is 80 µg/m³ or more");
    expect(describeCondition(pm10Value, "ko")).toBe("미세먼지가 80㎍/㎥ 이상일 때");
    expect(describeCondition(worseVeryBad, "en")).toBe("when PM10 or PM2.5 is very bad or worse");
    expect(describeCondition(worseVeryBad, "ko")).toBe("미세먼지나 초미세먼지가 매우나쁨 이상일 때");
    expect(describeCondition(undefined, "en")).toBe("every time");
    expect(describeCondition(undefined, "ko")).toBe("항상");
  });

  it("uses the notifications' grade words, and never calls a missing grade good", () => {
    expect(gradeWord(AirQualityGrade.VERY_BAD, "ko")).toBe("매우나쁨");
    expect(gradeWord(AirQualityGrade.MODERATE, "en")).toBe("Moderate");
    expect(gradeWord(AirQualityGrade.UNSPECIFIED, "en")).toBe("unavailable");
    expect(gradeWord(AirQualityGrade.UNSPECIFIED, "ko")).toBe("정보 없음");
  });

  it("shows distances with one decimal below 10 km", () => {
    expect(formatDistance(0.349, "en")).toBe("0.3 km");
    expect(formatDistance(2, "ko")).toBe("2.0 km");
    expect(formatDistance(12.6, "en")).toBe("13 km");
    expect(formatDistance(1234.5, "en")).toBe("1,235 km");
  });
});
