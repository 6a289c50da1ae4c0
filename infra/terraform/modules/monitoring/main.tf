# Alarms of the deployment guide (ECS CPU/memory > 80 %, ALB 5XX > 10 in 5 minutes, RDS CPU > 80 %,
# RDS free storage < 5 GB) plus any message in a dead-letter queue, all to an SNS email topic;
# and one dashboard of the whole path. Alarms on the services' own metrics: app_metrics.tf.

locals {
  dashboard_name = var.name
  alarm_actions  = [aws_sns_topic.alarms.arn]
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn
}

resource "aws_sns_topic_subscription" "email" {
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "ecs_cpu" {
  for_each            = toset(var.service_names)
  alarm_name          = "${var.name}-${each.key}-cpu-high"
  alarm_description   = "${each.key} CPU above 80 % for 10 minutes"
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  dimensions          = { ClusterName = var.cluster_name, ServiceName = each.key }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "ecs_memory" {
  for_each            = toset(var.service_names)
  alarm_name          = "${var.name}-${each.key}-memory-high"
  alarm_description   = "${each.key} memory above 80 % for 10 minutes"
  namespace           = "AWS/ECS"
  metric_name         = "MemoryUtilization"
  dimensions          = { ClusterName = var.cluster_name, ServiceName = each.key }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "alb_5xx" {
  alarm_name          = "${var.name}-alb-5xx"
  alarm_description   = "More than 10 HTTP 5XX answers (ALB or gateway) in 5 minutes"
  comparison_operator = "GreaterThanThreshold"
  threshold           = 10
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "total"
    expression  = "FILL(elb, 0) + FILL(target, 0)"
    label       = "5XX answers"
    return_data = true
  }
  metric_query {
    id = "elb"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      stat        = "Sum"
      period      = 300
    }
  }
  metric_query {
    id = "target"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_arn_suffix }
      stat        = "Sum"
      period      = 300
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "rds_cpu" {
  alarm_name          = "${var.name}-rds-cpu-high"
  alarm_description   = "RDS CPU above 80 % for 10 minutes"
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBInstanceIdentifier = var.db_instance_id }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "rds_storage" {
  alarm_name          = "${var.name}-rds-free-storage-low"
  alarm_description   = "RDS free storage below 5 GB"
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = { DBInstanceIdentifier = var.db_instance_id }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = 5 * 1024 * 1024 * 1024
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  for_each            = toset(var.dlq_names)
  alarm_name          = "${each.key}-not-empty"
  alarm_description   = "A scheduled trigger failed for good and waits in ${each.key}"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.key }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_dashboard" "main" {
  dashboard_name = local.dashboard_name
  dashboard_body = jsonencode({
    widgets = [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title   = "ECS CPU % per service", region = var.aws_region, stat = "Average", period = 60
          metrics = [for s in var.service_names : ["AWS/ECS", "CPUUtilization", "ClusterName", var.cluster_name, "ServiceName", s]]
        }
      },
      {
        type = "metric", x = 12, y = 0, width = 12, height = 6
        properties = {
          title   = "ECS memory % per service", region = var.aws_region, stat = "Average", period = 60
          metrics = [for s in var.service_names : ["AWS/ECS", "MemoryUtilization", "ClusterName", var.cluster_name, "ServiceName", s]]
        }
      },
      {
        type = "metric", x = 0, y = 6, width = 8, height = 6
        properties = {
          title = "ALB requests and 5XX", region = var.aws_region, stat = "Sum", period = 60
          metrics = [
            ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", var.alb_arn_suffix],
            ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", var.alb_arn_suffix],
            ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", var.alb_arn_suffix, "TargetGroup", var.target_group_arn_suffix],
          ]
        }
      },
      {
        type = "metric", x = 8, y = 6, width = 8, height = 6
        properties = {
          title = "ALB target response time (s)", region = var.aws_region, period = 60
          metrics = [
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", var.alb_arn_suffix, { stat = "p50" }],
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", var.alb_arn_suffix, { stat = "p99" }],
          ]
        }
      },
      {
        type = "metric", x = 16, y = 6, width = 8, height = 6
        properties = {
          title = "RDS", region = var.aws_region, stat = "Average", period = 60
          metrics = [
            ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", var.db_instance_id],
            ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", var.db_instance_id],
            ["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", var.db_instance_id, { yAxis = "right" }],
          ]
        }
      },
      {
        type = "metric", x = 0, y = 12, width = 8, height = 6
        properties = {
          title = "Redis", region = var.aws_region, stat = "Average", period = 60
          metrics = concat(
            [for c in var.redis_cluster_ids : ["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", c]],
            [for c in var.redis_cluster_ids : ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", c]],
            [for c in var.redis_cluster_ids : ["AWS/ElastiCache", "CurrConnections", "CacheClusterId", c, { yAxis = "right" }]],
          )
        }
      },
      {
        type = "metric", x = 8, y = 12, width = 8, height = 6
        properties = {
          title = "Scheduler invocations and failures", region = var.aws_region, stat = "Sum", period = 60
          metrics = [
            ["AWS/Scheduler", "InvocationAttemptCount", "ScheduleGroup", var.schedule_group_name],
            ["AWS/Scheduler", "TargetErrorCount", "ScheduleGroup", var.schedule_group_name],
            ["AWS/Scheduler", "InvocationDroppedCount", "ScheduleGroup", var.schedule_group_name],
            ["AWS/Scheduler", "InvocationsSentToDeadLetterCount", "ScheduleGroup", var.schedule_group_name],
            ["AWS/Events", "Invocations", "EventBusName", var.event_bus_name, "RuleName", var.trigger_rule_name],
            ["AWS/Events", "FailedInvocations", "EventBusName", var.event_bus_name, "RuleName", var.trigger_rule_name],
          ]
        }
      },
      {
        type = "metric", x = 16, y = 12, width = 8, height = 6
        properties = {
          title   = "Dead-letter queue depth", region = var.aws_region, stat = "Maximum", period = 60
          metrics = [for q in var.dlq_names : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q]]
        }
      },
      # The services' own metrics (app_metrics.tf, ecs/otel-collector.yaml).
      {
        type = "metric", x = 0, y = 18, width = 8, height = 6
        properties = {
          title = "Schedule buckets per sync state", region = var.aws_region, stat = "Maximum", period = 60
          metrics = [for state in ["synced", "pending", "failed"] :
            [var.metrics_namespace, "scheduler.sync.buckets", "backend", "eventbridge", "schedule_group", var.schedule_group_name, "state", state]
          ]
        }
      },
      {
        type = "metric", x = 8, y = 18, width = 8, height = 6
        properties = {
          title = "Schedule sync attempts and fan-out runs", region = var.aws_region, stat = "Sum", period = 60
          metrics = concat(
            [for result in ["synced", "throttled", "transient", "permanent"] :
              [var.metrics_namespace, "scheduler.sync.attempts", "backend", "eventbridge", "schedule_group", var.schedule_group_name, "result", result]
            ],
            [for outcome in ["done", "retry", "failed"] :
              [var.metrics_namespace, "scheduler.fanout.runs", "backend", "eventbridge", "schedule_group", var.schedule_group_name, "outcome", outcome, { yAxis = "right" }]
            ],
          )
        }
      },
      {
        type = "metric", x = 16, y = 18, width = 8, height = 6
        properties = {
          title = "Air quality: AirKorea requests, cache hits, quota errors", region = var.aws_region, stat = "Sum", period = 300
          metrics = [
            [var.metrics_namespace, "air_quality.upstream.calls"],
            [var.metrics_namespace, "air_quality.cache.hits"],
            [var.metrics_namespace, "air_quality.quota.errors", { yAxis = "right" }],
          ]
        }
      },
    ]
  })
}
