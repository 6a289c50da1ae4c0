import { useEffect, useState } from "preact/hooks";
import { push as pushApi } from "../api";
import { describeError } from "../errors";
import { useI18n } from "../i18n";
import * as push from "../push";
import { FormMessage } from "./Field";

/** This device's notifications: what they are, whether they are on, and the switch. */
export function Notifications() {
  const { t } = useI18n();
  const [state, setState] = useState<push.PushState | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; kind: "error" | "info" } | null>(null);

  useEffect(() => {
    push.currentState().then(setState, () => setState("unsupported"));
    void push.syncSubscription().catch(() => {});
    return push.listenForSubscriptionChanges();
  }, []);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setMessage(null);
    try {
      await action();
    } catch (error) {
      setMessage({ text: describeError(error, t).general ?? t("genericError"), kind: "error" });
    } finally {
      setBusy(false);
    }
  }

  const description: Record<push.PushState, string> = {
    unsupported: t("notifyUnsupported"),
    "ios-needs-install": t("notifyIos"),
    blocked: t("notifyBlocked"),
    off: t("notifyOff"),
    on: t("notifyOn"),
  };

  return (
    <section class="card notifications" aria-labelledby="notifications-heading" data-state={state ?? "loading"}>
      <h2 id="notifications-heading">{t("notifications")}</h2>
      {state === null ? (
        <p aria-busy="true">{t("loading")}</p>
      ) : (
        <>
          <p class={`push-state ${state}`} role="status">
            {description[state]}
          </p>
          {state === "off" && <p class="hint">{t("notifyExplain")}</p>}
          <div class="actions">
            {state === "off" && (
              <button type="button" class="primary" disabled={busy}
                onClick={() => run(async () => setState(await push.enable()))}>
                {busy ? t("working") : t("enableNotifications")}
              </button>
            )}
            {state === "on" && (
              <>
                <button type="button" disabled={busy}
                  onClick={() => run(async () => {
                    const { queued } = await pushApi.sendTestNotification({});
                    setMessage({ text: t("testSent", { count: queued }), kind: "info" });
                  })}>
                  {t("sendTest")}
                </button>
                <button type="button" class="secondary" disabled={busy}
                  onClick={() => run(async () => setState(await push.disable()))}>
                  {t("disableNotifications")}
                </button>
              </>
            )}
          </div>
        </>
      )}
      <FormMessage message={message?.text ?? null} kind={message?.kind} />
    </section>
  );
}
