# The otel-collector sidecar of every task (ecs/otel-collector.yaml, decision 6): its
# configuration in SSM, the log group its Embedded Metric Format events go to, and the task
# roles' right to write there. CloudWatch extracts the metrics into var.metrics_namespace.

resource "aws_cloudwatch_log_group" "metrics" {
  name              = "/ecs/${var.name}/metrics"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

# Read at task start as AOT_CONFIG_CONTENT (the execution role reads the whole prefix). Tasks
# started after a change get it; running ones keep theirs until they are replaced.
resource "aws_ssm_parameter" "otel_collector_config" {
  name        = "${var.ssm_prefix}/otel-collector-config"
  description = "configuration of the otel-collector sidecar (ecs/otel-collector.yaml, no secrets)"
  type        = "SecureString"
  key_id      = var.kms_key_arn
  tier        = "Standard"
  value       = file("${var.templates_dir}/otel-collector.yaml")
}

# awsemf calls CreateLogStream (one stream per service and task) and PutLogEvents; it would
# create the group only if it were missing, which Terraform rules out.
data "aws_iam_policy_document" "write_metrics" {
  statement {
    sid       = "WriteMetricEvents"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.metrics.arn}:*"]
  }
}

resource "aws_iam_role_policy" "write_metrics" {
  for_each = var.services
  name     = "write-metrics"
  role     = aws_iam_role.task[each.key].id
  policy   = data.aws_iam_policy_document.write_metrics.json
}
