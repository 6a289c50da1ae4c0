import { useState } from "preact/hooks";
import { signIn, signUp } from "../api";
import { describeError, NO_ERROR, type FormError } from "../errors";
import { accountLanguage, useI18n } from "../i18n";
import { Field, FormMessage } from "./Field";

export function SignIn() {
  const { t, lang } = useI18n();
  const [mode, setMode] = useState<"signIn" | "signUp">("signIn");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError>(NO_ERROR);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(NO_ERROR);
    try {
      if (mode === "signUp") await signUp(email, password, accountLanguage(lang));
      else await signIn(email, password);
    } catch (caught) {
      setError(describeError(caught, t));
      setBusy(false);
    }
  }

  const heading = mode === "signIn" ? t("signIn") : t("signUp");
  return (
    <section class="card narrow" aria-labelledby="auth-heading">
      <h1 id="auth-heading" tabIndex={-1}>
        {heading}
      </h1>
      <form onSubmit={submit} noValidate>
        <Field id="email" label={t("email")} error={error.fields.email}>
          {(aria) => (
            <input {...aria} type="email" name="email" autoComplete="email" required value={email}
              onInput={(e) => setEmail(e.currentTarget.value)} />
          )}
        </Field>
        <Field id="password" label={t("password")} hint={mode === "signUp" ? t("passwordHint") : undefined}
          error={error.fields.password}>
          {(aria) => (
            <input {...aria} type="password" name="password" required value={password}
              autoComplete={mode === "signUp" ? "new-password" : "current-password"}
              onInput={(e) => setPassword(e.currentTarget.value)} />
          )}
        </Field>
        <FormMessage message={error.general} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t("working") : heading}
        </button>
      </form>
      <button type="button" class="link" onClick={() => { setMode(mode === "signIn" ? "signUp" : "signIn"); setError(NO_ERROR); }}>
        {mode === "signIn" ? t("needAccount") : t("haveAccount")}
      </button>
    </section>
  );
}
