import { useEffect, useState } from "preact/hooks";
import { alerts as alertsApi, push as pushApi } from "../api";
import { describeError } from "../errors";
import { AlertRunOutcome, type Alert, type AlertRun } from "../gen/alert/v1/alerts_pb";
import { DeliveryStatus, type Delivery } from "../gen/alert/v1/push_pb";
import { useI18n, type MessageKey } from "../i18n";
import { formatRun } from "../nextRuns";
import { href } from "../router";
import { FormMessage } from "./Field";

const STATUS_KEYS: Record<DeliveryStatus, MessageKey> = {
  [DeliveryStatus.UNSPECIFIED]: "status.unknown",
  [DeliveryStatus.QUEUED]: "status.queued",
  [DeliveryStatus.SENDING]: "status.sending",
  [DeliveryStatus.DELIVERED]: "status.delivered",
  [DeliveryStatus.FAILED]: "status.failed",
  [DeliveryStatus.EXPIRED]: "status.expired",
};

export function StatusBadge(props: { status: DeliveryStatus }) {
  const { t } = useI18n();
  const key = STATUS_KEYS[props.status] ?? "status.unknown";
  return <span class={`badge ${key.replace("status.", "")}`} data-status={key.replace("status.", "")}>{t(key)}</span>;
}

const OUTCOME_KEYS: Record<AlertRunOutcome, MessageKey> = {
  [AlertRunOutcome.UNSPECIFIED]: "outcome.unknown",
  [AlertRunOutcome.SENT]: "outcome.sent",
  [AlertRunOutcome.SKIPPED]: "outcome.skipped",
};

function OutcomeBadge(props: { outcome: AlertRunOutcome }) {
  const { t } = useI18n();
  const key = OUTCOME_KEYS[props.outcome] ?? "outcome.unknown";
  const name = key.replace("outcome.", "");
  return <span class={`badge ${name}`} data-outcome={name}>{t(key)}</span>;
}

const POLL_MS = 3000;

/** One alert's runs (sent, or skipped and why) and its deliveries, newest first; refreshed while
 * the page is open. */
export function History(props: { id: string }) {
  const { t, lang } = useI18n();
  const [alert, setAlert] = useState<Alert | null>(null);
  const [runs, setRuns] = useState<AlertRun[] | null>(null);
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    alertsApi.getAlert({ id: props.id }).then((r) => setAlert(r.alert ?? null), () => {});
    const load = () =>
      Promise.all([
        alertsApi.listAlertRuns({ id: props.id, limit: 50 }),
        pushApi.listDeliveries({ alertId: props.id, limit: 100 }),
      ]).then(
        ([runsResponse, deliveriesResponse]) => {
          if (stopped) return;
          setRuns(runsResponse.runs);
          setDeliveries(deliveriesResponse.deliveries);
          setError(null);
        },
        (caught) => { if (!stopped) setError(describeError(caught, t).general ?? t("genericError")); },
      );
    void load();
    const timer = setInterval(() => { if (document.visibilityState === "visible") void load(); }, POLL_MS);
    return () => { stopped = true; clearInterval(timer); };
  }, [props.id]);

  const timeZone = alert?.timezone || undefined;
  const show = (time: string) => (time ? formatRun(time, timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone, lang) : "—");
  return (
    <section class="card" aria-labelledby="history-heading">
      <a class="back" href={href({ page: "list" })}>← {t("back")}</a>
      <h1 id="history-heading" tabIndex={-1}>
        {t("historyOf")}{alert ? `: ${alert.name}` : ""}
      </h1>
      <FormMessage message={error} />
      {runs === null && !error && <p aria-busy="true">{t("loading")}</p>}

      <h2 id="runs-heading" class="subheading">{t("runs")}</h2>
      {runs?.length === 0 && <p class="empty">{t("noRuns")}</p>}
      {runs && runs.length > 0 && (
        <div class="table-wrap" role="region" aria-labelledby="runs-heading" tabIndex={0}>
          <table class="history runs">
            <thead>
              <tr>
                <th scope="col">{t("scheduledFor")}</th>
                <th scope="col">{t("outcome")}</th>
                <th scope="col">{t("deliveryCount")}</th>
                <th scope="col">{t("reason")}</th>
              </tr>
            </thead>
            <tbody aria-live="polite">
              {runs.map((run) => (
                <tr key={run.scheduledTime} data-outcome={OUTCOME_KEYS[run.outcome]?.replace("outcome.", "")}>
                  <td><time dateTime={run.scheduledTime}>{show(run.scheduledTime)}</time></td>
                  <td><OutcomeBadge outcome={run.outcome} /></td>
                  <td>{run.deliveries}</td>
                  <td class="reason">{run.reason || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2 id="deliveries-heading" class="subheading">{t("deliveries")}</h2>
      {deliveries?.length === 0 && <p class="empty">{t("noDeliveries")}</p>}
      {deliveries && deliveries.length > 0 && (
        <div class="table-wrap" role="region" aria-labelledby="deliveries-heading" tabIndex={0}>
          <table class="history">
            <thead>
              <tr>
                <th scope="col">{t("when")}</th>
                <th scope="col">{t("status")}</th>
                <th scope="col">{t("attempts")}</th>
                <th scope="col">{t("pushStatus")}</th>
                <th scope="col">{t("error")}</th>
              </tr>
            </thead>
            <tbody aria-live="polite">
              {deliveries.map((delivery) => (
                <tr key={delivery.id} data-delivery-id={delivery.id}>
                  <td><time dateTime={delivery.createdAt}>{show(delivery.createdAt)}</time></td>
                  <td><StatusBadge status={delivery.status} /></td>
                  <td>{delivery.attempts}</td>
                  <td>{delivery.pushStatusCode || "—"}</td>
                  <td>{delivery.error || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
