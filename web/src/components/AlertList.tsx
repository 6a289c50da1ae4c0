import { useEffect, useState } from "preact/hooks";
import { describeCondition } from "../airQuality";
import { alerts as alertsApi, push as pushApi } from "../api";
import { describeError } from "../errors";
import type { Alert } from "../gen/alert/v1/alerts_pb";
import type { Delivery } from "../gen/alert/v1/push_pb";
import { describeSchedule, useI18n } from "../i18n";
import { formatRelative, formatRun } from "../nextRuns";
import { href } from "../router";
import { fromCron } from "../schedule";
import { FormMessage } from "./Field";
import { StatusBadge } from "./History";

interface Row {
  alert: Alert;
  nextRun: string | null;
  lastDelivery: Delivery | null;
}

async function loadRows(): Promise<Row[]> {
  const [{ alerts }, { deliveries }] = await Promise.all([
    alertsApi.listAlerts({}),
    pushApi.listDeliveries({ limit: 500 }),
  ]);
  const latest = new Map<string, Delivery>();
  // Newest first: the first delivery seen per alert is its last one.
  for (const delivery of deliveries) if (!latest.has(delivery.alertId)) latest.set(delivery.alertId, delivery);
  const nextRuns = await Promise.all(
    alerts.map((alert) =>
      alert.enabled
        ? alertsApi.previewNextRuns({ id: alert.id, count: 1 }).then((r) => r.nextRuns[0] ?? null, () => null)
        : null,
    ),
  );
  return alerts.map((alert, i) => ({ alert, nextRun: nextRuns[i], lastDelivery: latest.get(alert.id) ?? null }));
}

export function AlertList() {
  const { t, lang } = useI18n();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  const reload = () =>
    loadRows().then(
      (loaded) => { setRows(loaded); setError(null); },
      (caught) => setError(describeError(caught, t).general ?? t("genericError")),
    );
  useEffect(() => { void reload(); }, []);

  async function act(id: string, action: () => Promise<unknown>) {
    setBusyId(id);
    try {
      await action();
      await reload();
    } catch (caught) {
      setError(describeError(caught, t).general ?? t("genericError"));
    } finally {
      setBusyId(null);
    }
  }

  return (
    <section class="card" aria-labelledby="alerts-heading">
      <div class="section-head">
        <h1 id="alerts-heading" tabIndex={-1}>{t("alerts")}</h1>
        <a class="button primary" href={href({ page: "new" })}>{t("newAlert")}</a>
      </div>
      <FormMessage message={error} />
      {rows === null && !error && <p aria-busy="true">{t("loading")}</p>}
      {rows?.length === 0 && <p class="empty">{t("noAlerts")}</p>}
      {rows && rows.length > 0 && (
        <ul class="alert-list">
          {rows.map(({ alert, nextRun, lastDelivery }) => {
            const simple = fromCron(alert.schedule);
            return (
              <li key={alert.id} class={alert.enabled ? "alert-item" : "alert-item paused"} data-alert-id={alert.id}>
                <div class="alert-main">
                  <h2 class="alert-name">{alert.name}</h2>
                  <p class="alert-schedule">
                    {simple ? describeSchedule(simple, lang) : <code>{alert.schedule}</code>}
                    <span class="tz"> · {alert.timezone}</span>
                  </p>
                  {alert.content?.kind.case === "airQuality" && (
                    <p class="alert-content">
                      <span class="content-station">{t("airQualityAt", { station: alert.content.kind.value.station })}</span>
                      {" · "}
                      <span class="content-condition">{describeCondition(alert.content.kind.value.condition, lang)}</span>
                    </p>
                  )}
                  <dl class="alert-facts">
                    <div>
                      <dt>{t("nextRun")}</dt>
                      <dd class="next-run">
                        {!alert.enabled ? t("paused") : nextRun ? (
                          <>
                            <time dateTime={nextRun}>{formatRun(nextRun, alert.timezone, lang)}</time>{" "}
                            <span class="relative">({formatRelative(nextRun, new Date(), lang)})</span>
                          </>
                        ) : "—"}
                      </dd>
                    </div>
                    <div>
                      <dt>{t("lastDelivery")}</dt>
                      <dd>{lastDelivery ? <StatusBadge status={lastDelivery.status} /> : t("never")}</dd>
                    </div>
                  </dl>
                </div>
                <div class="alert-actions" role="group" aria-label={alert.name}>
                  <a class="button" href={href({ page: "edit", id: alert.id })}>{t("edit")}</a>
                  <a class="button" href={href({ page: "history", id: alert.id })}>{t("history")}</a>
                  <button type="button" disabled={busyId === alert.id} aria-pressed={!alert.enabled}
                    onClick={() => act(alert.id, () => alertsApi.toggleAlert({ id: alert.id }))}>
                    {alert.enabled ? t("pause") : t("resume")}
                  </button>
                  <button type="button" class="danger" disabled={busyId === alert.id}
                    onClick={() => {
                      if (confirm(t("confirmDelete", { name: alert.name })))
                        void act(alert.id, () => alertsApi.deleteAlert({ id: alert.id }));
                    }}>
                    {t("delete")}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
