# EventBridge path of a scheduled alert:
#   schedule (in the group, created by scheduler-service) --PutEvents--> event bus
#   --rule (source alert-system.scheduler, detail-type ScheduledNotification)-->
#   API destination POST https://<domain>/scheduler/trigger with header x-scheduler-secret.
# The schedule's Input becomes the event's `detail`; the rule's input transformer turns it back
# into the trigger body {"scheduleKey", "scheduledTime", "executionId"}.
# Failed schedule invocations land in the scheduler DLQ, failed API calls in the trigger DLQ.

data "aws_caller_identity" "current" {}

locals {
  event_source      = "alert-system.scheduler"
  event_detail_type = "ScheduledNotification"
}

resource "aws_scheduler_schedule_group" "alerts" {
  name = "${var.name}-alerts"
}

resource "aws_cloudwatch_event_bus" "scheduler" {
  name = "${var.name}-scheduler"
}

# --- dead-letter queues ---

resource "aws_sqs_queue" "scheduler_dlq" {
  name                      = "${var.name}-scheduler-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "trigger_dlq" {
  name                      = "${var.name}-trigger-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

# --- EventBridge Scheduler execution role: put events on our bus, dead-letter to our queue ---

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.name}-scheduler-execution"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "PutScheduledEvents"
    actions   = ["events:PutEvents"]
    resources = [aws_cloudwatch_event_bus.scheduler.arn]
  }
  statement {
    sid       = "DeadLetter"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.scheduler_dlq.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "put-events-and-dead-letter"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

# --- rule → API destination ---

resource "aws_cloudwatch_event_rule" "trigger" {
  name           = "${var.name}-scheduled-notification"
  description    = "Scheduled buckets to POST /scheduler/trigger"
  event_bus_name = aws_cloudwatch_event_bus.scheduler.name
  event_pattern = jsonencode({
    source        = [local.event_source]
    "detail-type" = [local.event_detail_type]
  })
}

resource "aws_cloudwatch_event_connection" "gateway" {
  name               = "${var.name}-gateway"
  description        = "Sends the scheduler secret to the gateway"
  authorization_type = "API_KEY"

  auth_parameters {
    api_key {
      key   = "x-scheduler-secret"
      value = var.scheduler_secret
    }
  }
}

resource "aws_cloudwatch_event_api_destination" "trigger" {
  name                             = "${var.name}-trigger"
  description                      = "Gateway scheduler trigger"
  invocation_endpoint              = var.trigger_url
  http_method                      = "POST"
  invocation_rate_limit_per_second = var.rate_limit_per_second
  connection_arn                   = aws_cloudwatch_event_connection.gateway.arn
}

data "aws_iam_policy_document" "events_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "invoke_api_destination" {
  name               = "${var.name}-invoke-trigger"
  assume_role_policy = data.aws_iam_policy_document.events_assume.json
}

data "aws_iam_policy_document" "invoke_api_destination" {
  statement {
    actions   = ["events:InvokeApiDestination"]
    resources = [aws_cloudwatch_event_api_destination.trigger.arn]
  }
}

resource "aws_iam_role_policy" "invoke_api_destination" {
  name   = "invoke-trigger"
  role   = aws_iam_role.invoke_api_destination.id
  policy = data.aws_iam_policy_document.invoke_api_destination.json
}

resource "aws_cloudwatch_event_target" "trigger" {
  rule           = aws_cloudwatch_event_rule.trigger.name
  event_bus_name = aws_cloudwatch_event_bus.scheduler.name
  target_id      = "gateway-trigger"
  arn            = aws_cloudwatch_event_api_destination.trigger.arn
  role_arn       = aws_iam_role.invoke_api_destination.arn

  # Unquoted placeholders: EventBridge inserts each value as a JSON value (strings quoted).
  # ci/deploy/trigger-body.mjs renders this against a sample event and checks the result.
  input_transformer {
    input_paths = {
      scheduleKey   = "$.detail.scheduleKey"
      scheduledTime = "$.detail.scheduledTime"
      executionId   = "$.detail.executionId"
    }
    input_template = <<-EOT
      {"scheduleKey": <scheduleKey>, "scheduledTime": <scheduledTime>, "executionId": <executionId>}
    EOT
  }

  http_target {
    header_parameters = {
      "Content-Type" = "application/json"
    }
  }

  # Fire is idempotent on (bucket, scheduled time), so retries are safe; after an hour an alert
  # is stale and goes to the DLQ instead.
  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 10
  }

  dead_letter_config {
    arn = aws_sqs_queue.trigger_dlq.arn
  }
}

# --- queue access policies: TLS only; only our rule / our scheduler role may send ---

data "aws_iam_policy_document" "trigger_dlq" {
  statement {
    sid       = "RuleDeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.trigger_dlq.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.trigger.arn]
    }
  }
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.trigger_dlq.arn]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "trigger_dlq" {
  queue_url = aws_sqs_queue.trigger_dlq.id
  policy    = data.aws_iam_policy_document.trigger_dlq.json
}

data "aws_iam_policy_document" "scheduler_dlq" {
  statement {
    sid       = "SchedulerDeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.scheduler_dlq.arn]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.scheduler.arn]
    }
  }
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.scheduler_dlq.arn]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "scheduler_dlq" {
  queue_url = aws_sqs_queue.scheduler_dlq.id
  policy    = data.aws_iam_policy_document.scheduler_dlq.json
}
