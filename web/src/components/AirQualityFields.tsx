import { useEffect, useState } from "preact/hooks";
import { airQuality as airQualityApi } from "../api";
import {
  CONDITION_FIELD, formatDistance, GRADES, gradeWord, MAX_THRESHOLD_VALUE, MEASURES, STATION_FIELD, withMeasure,
  type AirQualityDraft,
} from "../airQuality";
import { errorLine } from "../errors";
import type { Station } from "../gen/alert/v1/air_quality_pb";
import { AirQualityMeasure, UnavailableMeasurementPolicy } from "../gen/alert/v1/alerts_pb";
import { useI18n, type MessageKey } from "../i18n";
import { Field, FormMessage } from "./Field";
import { StationReadingPreview } from "./StationReadingPreview";

const SEARCH_DELAY_MS = 300;
const NEAREST_COUNT = 5;
const GEOLOCATION_TIMEOUT_MS = 15_000;

interface Found {
  station: Station;
  /** Set for stations found near the user. */
  distanceKm?: number;
}

type Search =
  | { status: "idle" }
  | { status: "busy"; what: "searching" | "locating" }
  | { status: "done"; found: Found[] }
  | { status: "failed"; message: string };

const MEASURE_OPTION_KEYS: Record<AirQualityMeasure, MessageKey> = {
  [AirQualityMeasure.UNSPECIFIED]: "measureOption.worse",
  [AirQualityMeasure.PM10]: "measureOption.pm10",
  [AirQualityMeasure.PM25]: "measureOption.pm25",
  [AirQualityMeasure.WORSE]: "measureOption.worse",
};

/** The air-quality part of the alert form: the station (by name or location), its latest reading,
 * the optional condition and what to do without a reading. */
export function AirQualityFields(props: {
  draft: AirQualityDraft;
  onChange: (draft: AirQualityDraft) => void;
  /** Messages by the server's field names. */
  errors: Record<string, string>;
}) {
  const { t, lang } = useI18n();
  const { draft, onChange } = props;
  const [query, setQuery] = useState("");
  const [search, setSearch] = useState<Search>({ status: "idle" });
  const update = (patch: Partial<AirQualityDraft>) => onChange({ ...draft, ...patch });
  const failure = (caught: unknown) => errorLine(caught, t);

  useEffect(() => {
    const text = query.trim();
    if (!text) {
      setSearch((previous) => (previous.status === "busy" && previous.what === "locating" ? previous : { status: "idle" }));
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      setSearch({ status: "busy", what: "searching" });
      airQualityApi.searchStations({ query: text, limit: 10 }).then(
        (r) => current && setSearch({ status: "done", found: r.stations.map((station) => ({ station })) }),
        (caught) => current && setSearch({ status: "failed", message: failure(caught) }),
      );
    }, SEARCH_DELAY_MS);
    return () => { current = false; clearTimeout(timer); };
  }, [query]);

  function findNearby() {
    if (!globalThis.navigator?.geolocation) {
      setSearch({ status: "failed", message: t("locationUnsupported") });
      return;
    }
    setSearch({ status: "busy", what: "locating" });
    navigator.geolocation.getCurrentPosition(
      ({ coords }) => {
        airQualityApi.nearestStations({ latitude: coords.latitude, longitude: coords.longitude, limit: NEAREST_COUNT }).then(
          (r) => setSearch({
            status: "done",
            found: r.stations.flatMap(({ station, distanceKm }) => (station ? [{ station, distanceKm }] : [])),
          }),
          (caught) => setSearch({ status: "failed", message: failure(caught) }),
        );
      },
      () => setSearch({ status: "failed", message: t("locationDenied") }),
      { timeout: GEOLOCATION_TIMEOUT_MS, maximumAge: 5 * 60_000 },
    );
  }

  const stationError = props.errors[STATION_FIELD];
  const conditionError = props.errors[CONDITION_FIELD];
  return (
    <div class="air-quality">
      <div class="station-finder">
        <Field id="station-search" label={t("stationSearch")} hint={t("stationSearchHint")} error={stationError}>
          {(aria) => <input {...aria} type="search" name="station-search" autoComplete="off" value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
            // Enter in the search box must not save the alert.
            onKeyDown={(e) => { if (e.key === "Enter") e.preventDefault(); }} />}
        </Field>
        <button type="button" class="locate" disabled={search.status === "busy"} onClick={findNearby}>
          {t("useMyLocation")}
        </button>
      </div>
      <div class="station-results" aria-live="polite">
        {search.status === "busy" && <p aria-busy="true">{t(search.what)}</p>}
        {search.status === "failed" && <FormMessage message={search.message} />}
        {search.status === "done" && search.found.length === 0 && <p class="empty">{t("noStationsFound")}</p>}
        {search.status === "done" && search.found.length > 0 && (
          <ul class="station-list" aria-label={t("stationsFound")}>
            {search.found.map(({ station, distanceKm }) => (
              <li key={station.name}>
                <button type="button" class="station-choice" aria-pressed={station.name === draft.station}
                  onClick={() => update({ station: station.name })}>
                  <span class="station-name">{station.name}</span>
                  <span class="station-address">{station.address}</span>
                  {distanceKm !== undefined && <span class="distance">{formatDistance(distanceKm, lang)}</span>}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <p class="chosen-station">
        {t("station")}: {draft.station ? <strong>{draft.station}</strong> : <span class="hint">{t("noStationYet")}</span>}
      </p>
      {draft.station && <StationReadingPreview station={draft.station} />}

      <div class="condition">
        <label class="inline">
          <input type="checkbox" name="condition-on" checked={draft.conditionOn}
            onChange={(e) => update({ conditionOn: e.currentTarget.checked })} />
          {t("conditionOn")}
        </label>
        {draft.conditionOn && (
          <div class="condition-parts" aria-describedby={conditionError ? "condition-error" : undefined}>
            <div class="field">
              <label for="condition-measure">{t("measure")}</label>
              <select id="condition-measure" name="measure" value={String(draft.measure)}
                onChange={(e) => onChange(withMeasure(draft, Number(e.currentTarget.value) as AirQualityMeasure))}>
                {MEASURES.map((measure) => <option key={measure} value={String(measure)}>{t(MEASURE_OPTION_KEYS[measure])}</option>)}
              </select>
            </div>
            <fieldset class="threshold-kind">
              <legend>{t("threshold")}</legend>
              <label class="inline">
                <input type="radio" name="threshold-kind" value="grade" checked={draft.thresholdKind === "grade"}
                  onChange={() => update({ thresholdKind: "grade" })} />
                {t("thresholdGrade")}
              </label>
              <label class="inline">
                <input type="radio" name="threshold-kind" value="value" checked={draft.thresholdKind === "value"}
                  disabled={draft.measure === AirQualityMeasure.WORSE} onChange={() => update({ thresholdKind: "value" })} />
                {t("thresholdValue")}
              </label>
            </fieldset>
            {draft.thresholdKind === "grade" ? (
              <div class="field">
                <label for="condition-grade">{t("grade")}</label>
                <select id="condition-grade" name="grade" value={String(draft.grade)}
                  onChange={(e) => update({ grade: Number(e.currentTarget.value) })}>
                  {GRADES.map((grade) => <option key={grade} value={String(grade)}>{gradeWord(grade, lang)}</option>)}
                </select>
              </div>
            ) : (
              <div class={conditionError ? "field invalid" : "field"}>
                <label for="condition-value">{t("value")}</label>
                <input id="condition-value" name="value" type="number" inputMode="numeric" min={1} max={MAX_THRESHOLD_VALUE}
                  step={1} value={draft.value} aria-invalid={Boolean(conditionError)}
                  onInput={(e) => update({ value: e.currentTarget.value })} />
              </div>
            )}
          </div>
        )}
        {conditionError && <p class="field-error" id="condition-error" role="alert">{conditionError}</p>}
      </div>

      <fieldset class="when-unavailable">
        <legend>{t("whenUnavailable")}</legend>
        {([
          [UnavailableMeasurementPolicy.SEND, "whenUnavailableSend"],
          [UnavailableMeasurementPolicy.SKIP, "whenUnavailableSkip"],
        ] as const).map(([policy, key]) => (
          <label class="inline" key={policy}>
            <input type="radio" name="when-unavailable" value={String(policy)} checked={draft.whenUnavailable === policy}
              onChange={() => update({ whenUnavailable: policy })} />
            {t(key)}
          </label>
        ))}
      </fieldset>
    </div>
  );
}
