import { useEffect, useMemo, useState } from "preact/hooks";
import {
  buildContent, CONDITION_FIELD, draftFromContent, newContentDraft, placeholderList, STATION_FIELD, type ContentDraft,
} from "../airQuality";
import { alerts as alertsApi } from "../api";
import { describeError, NO_ERROR, type FormError } from "../errors";
import { useI18n, weekdayNames } from "../i18n";
import { browserTimeZone, formatRun } from "../nextRuns";
import { href, navigate } from "../router";
import {
  formatTime, fromCron, parseTime, toCron, WEEKDAYS_MONDAY_FIRST, type SimpleSchedule, type Weekday,
} from "../schedule";
import { AirQualityFields } from "./AirQualityFields";
import { Field, FormMessage } from "./Field";

interface Draft {
  name: string;
  title: string;
  body: string;
  timezone: string;
  enabled: boolean;
  advanced: boolean;
  cron: string;
  simple: SimpleSchedule;
  content: ContentDraft;
}

const DEFAULT_SIMPLE: SimpleSchedule = { hour: 8, minute: 0, weekdays: [1, 2, 3, 4, 5] };
const PREVIEW_DELAY_MS = 300;

function newDraft(): Draft {
  return {
    name: "", title: "", body: "", timezone: browserTimeZone(), enabled: true,
    advanced: false, cron: toCron(DEFAULT_SIMPLE), simple: DEFAULT_SIMPLE, content: newContentDraft(),
  };
}

function scheduleOf(draft: Draft): string {
  return draft.advanced ? draft.cron.trim() : toCron(draft.simple);
}

const TIME_ZONES: string[] = (() => {
  try {
    return (Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  } catch {
    return [];
  }
})();

/** Create (`id` absent) or edit an alert, with a schedule builder and its next fire times. */
export function AlertEditor(props: { id?: string }) {
  const { t, lang } = useI18n();
  const [draft, setDraft] = useState<Draft | null>(props.id ? null : newDraft());
  const [error, setError] = useState<FormError>(NO_ERROR);
  const [saving, setSaving] = useState(false);
  const [preview, setPreview] = useState<{ runs: string[]; timezone: string; error: FormError }>({
    runs: [], timezone: "", error: NO_ERROR,
  });

  useEffect(() => {
    if (!props.id) return;
    alertsApi.getAlert({ id: props.id }).then(
      ({ alert }) => {
        if (!alert) return;
        const simple = fromCron(alert.schedule);
        setDraft({
          name: alert.name, title: alert.title, body: alert.body, timezone: alert.timezone,
          enabled: alert.enabled, advanced: simple === null, cron: alert.schedule, simple: simple ?? DEFAULT_SIMPLE,
          content: draftFromContent(alert.content),
        });
      },
      (caught) => setError(describeError(caught, t)),
    );
  }, [props.id]);

  const schedule = draft ? scheduleOf(draft) : "";
  const timezone = draft?.timezone.trim() ?? "";
  const noDays = draft !== null && !draft.advanced && draft.simple.weekdays.length === 0;

  useEffect(() => {
    if (!draft || noDays || !schedule) {
      setPreview({ runs: [], timezone: "", error: NO_ERROR });
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      alertsApi.previewNextRuns({ schedule, timezone, count: 5 }).then(
        (r) => current && setPreview({ runs: r.nextRuns, timezone: r.timezone, error: NO_ERROR }),
        (caught) => current && setPreview({ runs: [], timezone: "", error: describeError(caught, t) }),
      );
    }, PREVIEW_DELAY_MS);
    return () => { current = false; clearTimeout(timer); };
  }, [schedule, timezone, noDays]);

  const dayNames = useMemo(() => weekdayNames(lang, "short"), [lang]);
  const longDayNames = useMemo(() => weekdayNames(lang, "long"), [lang]);

  if (!draft) {
    return (
      <section class="card">
        <FormMessage message={error.general} />
        {!error.general && <p aria-busy="true">{t("loading")}</p>}
      </section>
    );
  }

  const update = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const updateSimple = (patch: Partial<SimpleSchedule>) => {
    const simple = { ...draft.simple, ...patch };
    setDraft({ ...draft, simple, cron: toCron(simple) });
  };
  const toggleDay = (day: Weekday) => {
    const has = draft.simple.weekdays.includes(day);
    updateSimple({ weekdays: has ? draft.simple.weekdays.filter((d) => d !== day) : [...draft.simple.weekdays, day] });
  };
  const switchAdvanced = (advanced: boolean) => {
    if (advanced) return update({ advanced, cron: toCron(draft.simple) });
    const simple = fromCron(draft.cron);
    update({ advanced: simple ? false : true, simple: simple ?? draft.simple });
  };

  const updateContent = (patch: Partial<ContentDraft>) => {
    update({ content: { ...draft.content, ...patch } });
    // What was wrong with the station or condition may be fixed now; saving checks again.
    const { [STATION_FIELD]: stationError, [CONDITION_FIELD]: conditionError, ...fields } = error.fields;
    if (stationError || conditionError) setError({ ...error, fields });
  };

  function showError(formError: FormError) {
    setError(formError);
    const firstField = Object.keys(formError.fields)[0];
    if (firstField) document.getElementById(fieldIds[firstField] ?? "")?.focus();
  }

  async function save(event: Event) {
    event.preventDefault();
    if (!draft) return;
    const problems: Record<string, string> = {};
    if (noDays) problems.schedule = t("pickADay");
    const built = buildContent(draft.content);
    if (!built.ok) for (const [field, key] of Object.entries(built.errors)) problems[field] = t(key);
    if (!built.ok || Object.keys(problems).length) {
      showError({ fields: problems, general: null });
      return;
    }
    setSaving(true);
    setError(NO_ERROR);
    const fields = {
      name: draft.name, schedule, timezone, title: draft.title, body: draft.body, enabled: draft.enabled,
      content: built.content,
    };
    try {
      if (props.id) await alertsApi.updateAlert({ id: props.id, ...fields });
      else await alertsApi.createAlert(fields);
      navigate({ page: "list" });
    } catch (caught) {
      setSaving(false);
      showError(describeError(caught, t));
    }
  }

  const scheduleError = error.fields.schedule ?? preview.error.fields.schedule ?? (preview.error.general ?? undefined);
  const timezoneError = error.fields.timezone ?? preview.error.fields.timezone;
  const heading = props.id ? t("editAlert") : t("newAlert");
  const airQuality = draft.content.kind === "airQuality";
  return (
    <section class="card" aria-labelledby="editor-heading">
      <a class="back" href={href({ page: "list" })}>← {t("back")}</a>
      <h1 id="editor-heading" tabIndex={-1}>{heading}</h1>
      <form onSubmit={save} noValidate class="editor">
        <Field id="alert-name" label={t("name")} error={error.fields.name}>
          {(aria) => <input {...aria} name="name" required maxLength={100} value={draft.name}
            onInput={(e) => update({ name: e.currentTarget.value })} />}
        </Field>
        <fieldset class="content">
          <legend>{t("content")}</legend>
          <div class="choices">
            {([["plain", "contentPlain"], ["airQuality", "contentAirQuality"]] as const).map(([kind, label]) => (
              <label class="inline" key={kind}>
                <input type="radio" name="content-kind" value={kind} checked={draft.content.kind === kind}
                  onChange={() => updateContent({ kind })} />
                {t(label)}
              </label>
            ))}
          </div>
          {airQuality && (
            <AirQualityFields draft={draft.content.airQuality} errors={error.fields}
              onChange={(next) => updateContent({ airQuality: next })} />
          )}
          <Field id="alert-title" label={airQuality ? t("titleTemplate") : t("title")} error={error.fields.title}
            hint={airQuality ? t("templateHint", { list: placeholderList() }) : undefined}>
            {(aria) => <input {...aria} name="title" maxLength={100} value={draft.title}
              onInput={(e) => update({ title: e.currentTarget.value })} />}
          </Field>
          <Field id="alert-body" label={airQuality ? t("bodyTemplate") : t("body")} error={error.fields.body}>
            {(aria) => <textarea {...aria} name="body" rows={3} maxLength={1000} value={draft.body}
              onInput={(e) => update({ body: e.currentTarget.value })} />}
          </Field>
        </fieldset>

        <fieldset class="schedule">
          <legend>{t("schedule")}</legend>
          {!draft.advanced && (
            <>
              <Field id="alert-time" label={t("time")}>
                {(aria) => <input {...aria} type="time" name="time" required
                  value={formatTime(draft.simple.hour, draft.simple.minute)}
                  onInput={(e) => { const time = parseTime(e.currentTarget.value); if (time) updateSimple(time); }} />}
              </Field>
              <fieldset class="weekdays" aria-describedby={scheduleError ? "alert-schedule-error" : undefined}>
                <legend>{t("days")}</legend>
                {WEEKDAYS_MONDAY_FIRST.map((day) => (
                  <label class="day" key={day}>
                    <input type="checkbox" name="weekday" value={String(day)} checked={draft.simple.weekdays.includes(day)}
                      onChange={() => toggleDay(day)} />
                    <span aria-hidden="true">{dayNames[day]}</span>
                    <span class="visually-hidden">{longDayNames[day]}</span>
                  </label>
                ))}
              </fieldset>
              {scheduleError && <p class="field-error" id="alert-schedule-error" role="alert">{scheduleError}</p>}
            </>
          )}
          <label class="inline">
            <input type="checkbox" name="advanced" checked={draft.advanced} onChange={(e) => switchAdvanced(e.currentTarget.checked)} />
            {t("advanced")}
          </label>
          {draft.advanced && (
            <Field id="alert-cron" label={t("cron")} hint={t("cronHint")} error={scheduleError}>
              {(aria) => <input {...aria} name="cron" class="mono" spellcheck={false} autoComplete="off" value={draft.cron}
                onInput={(e) => update({ cron: e.currentTarget.value })} />}
            </Field>
          )}
          <Field id="alert-timezone" label={t("timezone")} error={timezoneError}>
            {(aria) => <input {...aria} name="timezone" list="time-zones" autoComplete="off" value={draft.timezone}
              onInput={(e) => update({ timezone: e.currentTarget.value })} />}
          </Field>
          <datalist id="time-zones">
            {TIME_ZONES.map((zone) => <option key={zone} value={zone} />)}
          </datalist>
          <div class="next-runs" aria-live="polite">
            <h2>{t("nextRuns")}</h2>
            {preview.runs.length ? (
              <ol class="next-runs-list">
                {preview.runs.map((run) => (
                  <li key={run}><time dateTime={run}>{formatRun(run, preview.timezone || timezone, lang)}</time></li>
                ))}
              </ol>
            ) : (
              <p class="hint">{t("noNextRuns")}</p>
            )}
          </div>
        </fieldset>

        {props.id && (
          <label class="inline">
            <input type="checkbox" name="enabled" checked={draft.enabled} onChange={(e) => update({ enabled: e.currentTarget.checked })} />
            {t("enabled")}
          </label>
        )}
        <FormMessage message={error.general} />
        <div class="actions">
          <button type="submit" class="primary" disabled={saving}>
            {saving ? t("saving") : props.id ? t("save") : t("create")}
          </button>
          <a class="button secondary" href={href({ page: "list" })}>{t("cancel")}</a>
        </div>
      </form>
    </section>
  );
}

/** Where the server's field names live in this form. */
const fieldIds: Record<string, string> = {
  name: "alert-name",
  title: "alert-title",
  body: "alert-body",
  schedule: "alert-cron",
  timezone: "alert-timezone",
  [STATION_FIELD]: "station-search",
  [CONDITION_FIELD]: "condition-measure",
};
