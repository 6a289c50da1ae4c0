# Alarms on the services' own metrics, which each task's collector sidecar writes to
# var.metrics_namespace (ecs/otel-collector.yaml). Names and dimensions must be exactly what the
# collector emits: ci/deploy/check_metrics.py compares them with its configuration and the code.
# scheduler-service's metrics carry its backend (EventBridge in ECS) and schedule group.

# The gauge is the same in every replica (read from the shared table): the maximum is the count.
resource "aws_cloudwatch_metric_alarm" "buckets_failed" {
  alarm_name          = "${var.name}-schedule-buckets-failed"
  alarm_description   = "Schedule buckets whose EventBridge schedule cannot be synced (validation, access or a missing group): their alerts will not fire. ListBucketSyncStates shows the error."
  namespace           = var.metrics_namespace
  metric_name         = "scheduler.sync.buckets"
  dimensions          = { backend = "eventbridge", schedule_group = var.schedule_group_name, state = "failed" }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# Every running scheduler-service reports the gauge at each export (60 s), even with no buckets;
# its absence means the metrics do not arrive (collector sidecar, its role, or the service down),
# and the alarm above could not fire.
resource "aws_cloudwatch_metric_alarm" "scheduler_metrics_missing" {
  alarm_name          = "${var.name}-scheduler-metrics-missing"
  alarm_description   = "No scheduler-service metrics for 15 minutes: check the otel-collector container of its tasks and its log stream."
  namespace           = var.metrics_namespace
  metric_name         = "scheduler.sync.buckets"
  dimensions          = { backend = "eventbridge", schedule_group = var.schedule_group_name, state = "synced" }
  statistic           = "SampleCount"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# Summed over both operations (the collector's dimensionless copy). The AirKorea key's daily quota
# is spent: until it resets, air-quality alerts say "measurement unavailable" or are skipped, as
# each alert's policy says (decision 8).
resource "aws_cloudwatch_metric_alarm" "air_quality_quota" {
  alarm_name          = "${var.name}-air-quality-quota-exhausted"
  alarm_description   = "AirKorea answered that the daily quota of AIR_QUALITY_API_KEY is exhausted."
  namespace           = var.metrics_namespace
  metric_name         = "air_quality.quota.errors"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}
