import { useEffect, useState } from "preact/hooks";
import { airQuality as airQualityApi } from "../api";
import { gradeClass, gradeWord } from "../airQuality";
import { errorLine } from "../errors";
import type { PollutantReading, StationReading } from "../gen/alert/v1/air_quality_pb";
import { useI18n, type MessageKey } from "../i18n";
import { formatRun } from "../nextRuns";
import { FormMessage } from "./Field";

/** AirKorea measures in Korean time, whatever the alert's zone. */
const KOREA = "Asia/Seoul";

type Preview =
  | { status: "loading" }
  | { status: "done"; reading: StationReading }
  | { status: "failed"; message: string };

/** A station's latest PM10 and PM2.5, as the alert would read them now. */
export function StationReadingPreview(props: { station: string }) {
  const { t, lang } = useI18n();
  const [preview, setPreview] = useState<Preview>({ status: "loading" });

  useEffect(() => {
    let current = true;
    setPreview({ status: "loading" });
    airQualityApi.getStationReading({ station: props.station }).then(
      ({ reading }) => {
        if (!current) return;
        setPreview(reading ? { status: "done", reading } : { status: "failed", message: t("genericError") });
      },
      (caught) => {
        if (!current) return;
        setPreview({ status: "failed", message: errorLine(caught, t) });
      },
    );
    return () => { current = false; };
  }, [props.station]);

  return (
    <section class="reading" aria-labelledby="reading-heading" aria-live="polite">
      <h3 id="reading-heading">{t("latestReading")} · {props.station}</h3>
      {preview.status === "loading" && <p aria-busy="true">{t("loading")}</p>}
      {preview.status === "failed" && <FormMessage message={preview.message} />}
      {preview.status === "done" && (
        <>
          <dl class="reading-values">
            <Pollutant label="pm10" reading={preview.reading.pm10} />
            <Pollutant label="pm25" reading={preview.reading.pm25} />
          </dl>
          {preview.reading.measuredAt && (
            <p class="hint measured-at">
              {t("measuredAt", { time: formatRun(preview.reading.measuredAt, KOREA, lang) })}
            </p>
          )}
        </>
      )}
    </section>
  );
}

function Pollutant(props: { label: MessageKey; reading: PollutantReading | undefined }) {
  const { t, lang } = useI18n();
  const reading = props.reading;
  return (
    <div class="pollutant" data-pollutant={props.label}>
      <dt>{t(props.label)}</dt>
      <dd>
        {reading?.value === undefined ? (
          <span class="grade grade-unavailable">{t("unavailable")}</span>
        ) : (
          <>
            <span class="value">{reading.value} {t("perCubicMetre")}</span>{" "}
            <span class={`grade ${gradeClass(reading.grade)}`}>{gradeWord(reading.grade, lang)}</span>
          </>
        )}
      </dd>
    </div>
  );
}
