import { useEffect, useState } from "preact/hooks";
import { alerts as alertsApi, push as pushApi } from "../api";
import { describeError } from "../errors";
import type { Alert } from "../gen/alert/v1/alerts_pb";
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

const POLL_MS = 3000;

/** One alert's deliveries, newest first; refreshed while the page is open. */
export function History(props: { id: string }) {
  const { t, lang } = useI18n();
  const [alert, setAlert] = useState<Alert | null>(null);
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    alertsApi.getAlert({ id: props.id }).then((r) => setAlert(r.alert ?? null), () => {});
    const load = () =>
      pushApi.listDeliveries({ alertId: props.id, limit: 100 }).then(
        (r) => { if (!stopped) { setDeliveries(r.deliveries); setError(null); } },
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
        {t("deliveries")}{alert ? `: ${alert.name}` : ""}
      </h1>
      <FormMessage message={error} />
      {deliveries === null && !error && <p aria-busy="true">{t("loading")}</p>}
      {deliveries?.length === 0 && <p class="empty">{t("noDeliveries")}</p>}
      {deliveries && deliveries.length > 0 && (
        <div class="table-wrap" role="region" aria-labelledby="history-heading" tabIndex={0}>
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
