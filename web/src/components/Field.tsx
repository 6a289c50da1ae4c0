import type { ComponentChildren } from "preact";

/** A labelled control with its hint and the server's error for it, wired for screen readers. */
export function Field(props: {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  children: (aria: {
    id: string;
    "aria-invalid": boolean;
    "aria-describedby"?: string;
  }) => ComponentChildren;
}) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const errorId = props.error ? `${props.id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(" ") || undefined;
  return (
    <div class={props.error ? "field invalid" : "field"}>
      <label for={props.id}>{props.label}</label>
      {props.children({ id: props.id, "aria-invalid": Boolean(props.error), "aria-describedby": describedBy })}
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={errorId} role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}

/** A message for the whole form, announced when it appears. */
export function FormMessage(props: { message: string | null; kind?: "error" | "info" }) {
  const kind = props.kind ?? "error";
  return (
    <div class={props.message ? `form-message ${kind}` : "form-message"} role={kind === "error" ? "alert" : "status"} aria-live="polite">
      {props.message}
    </div>
  );
}
