// Errors from the services, for people: the message the server wrote for the user, and the
// request field it named (a google.rpc.BadRequest field violation in grpc-status-details-bin).

import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "./gen/google/rpc/error_details_pb";
import type { Translate } from "./i18n";

export interface FormError {
  /** Messages by proto field name (`schedule`, `email`…). */
  fields: Record<string, string>;
  /** What is not about one field. */
  general: string | null;
}

export const NO_ERROR: FormError = { fields: {}, general: null };

export function describeError(error: unknown, t: Translate): FormError {
  const connectError = ConnectError.from(error);
  const fields: Record<string, string> = {};
  for (const badRequest of connectError.findDetails(BadRequestSchema)) {
    for (const violation of badRequest.fieldViolations) {
      fields[violation.field] ??= violation.description || connectError.rawMessage;
    }
  }
  if (Object.keys(fields).length) return { fields, general: null };
  return { fields, general: generalMessage(connectError, t) };
}

/** One line for a place with no fields of its own to mark: the general message, else the first
 * field's. */
export function errorLine(error: unknown, t: Translate): string {
  const described = describeError(error, t);
  return described.general ?? Object.values(described.fields)[0] ?? t("genericError");
}

function generalMessage(error: ConnectError, t: Translate): string {
  switch (error.code) {
    case Code.Unavailable:
    case Code.DeadlineExceeded:
      return error.rawMessage && !/fetch|network/i.test(error.rawMessage) ? error.rawMessage : t("networkError");
    case Code.Internal:
    case Code.Unknown:
      return t("genericError");
    case Code.Unauthenticated:
    case Code.InvalidArgument:
    case Code.AlreadyExists:
    case Code.NotFound:
    case Code.FailedPrecondition:
    case Code.ResourceExhausted:
    case Code.PermissionDenied:
      return error.rawMessage || t("genericError");
    default:
      return t("genericError");
  }
}
