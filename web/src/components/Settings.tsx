import { useState } from "preact/hooks";
import { saveLanguage } from "../api";
import { describeError } from "../errors";
import type { User } from "../gen/alert/v1/auth_pb";
import { accountLanguage, langOfAccount, useI18n, type Lang } from "../i18n";
import { FormMessage } from "./Field";

/**
 * The account's settings, kept by the server: the language notifications are written in. The
 * app's own language (top bar) belongs to this device; this one travels with the account.
 */
export function Settings(props: { user: User }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; kind: "error" | "info" } | null>(null);

  async function choose(lang: Lang) {
    setBusy(true);
    setMessage(null);
    try {
      await saveLanguage(accountLanguage(lang));
      setMessage({ text: t("saved"), kind: "info" });
    } catch (caught) {
      setMessage({ text: describeError(caught, t).general ?? t("genericError"), kind: "error" });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card settings" aria-labelledby="settings-heading">
      <h2 id="settings-heading">{t("settings")}</h2>
      <div class="field">
        <label for="notification-language">{t("notificationLanguage")}</label>
        <select id="notification-language" aria-describedby="notification-language-hint" disabled={busy}
          value={langOfAccount(props.user.language)} onChange={(e) => void choose(e.currentTarget.value as Lang)}>
          <option value="ko" lang="ko">한국어</option>
          <option value="en" lang="en">English</option>
        </select>
        <p class="hint" id="notification-language-hint">{t("notificationLanguageHint")}</p>
      </div>
      <FormMessage message={message?.text ?? null} kind={message?.kind} />
    </section>
  );
}
