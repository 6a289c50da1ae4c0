# ECS cluster, one Fargate service per component, Service Connect for the internal gRPC names
# (alert-service:50051, scheduler-service:50052, notifier-service:50053), autoscaling on CPU.
# Task definitions are rendered from ecs/<service>.json, the same templates the deploy workflow
# renders; the render variables are also written to SSM for that workflow. Every task has an
# otel-collector sidecar writing the service's metrics to CloudWatch (metrics.tf).

locals {
  grpc_ports = {
    "alert-service"     = 50051
    "scheduler-service" = 50052
    "notifier-service"  = 50053
  }
  ssm_prefix_arn = "arn:aws:ssm:${var.aws_region}:${var.account_id}:parameter${var.ssm_prefix}"

  # Placeholder values per service; every template placeholder except IMAGE.
  render_vars = {
    for svc, size in var.services : svc => {
      FAMILY_PREFIX         = var.name
      CPU                   = tostring(size.cpu)
      MEMORY                = tostring(size.memory)
      AWS_REGION            = var.aws_region
      EXECUTION_ROLE_ARN    = aws_iam_role.execution.arn
      TASK_ROLE_ARN         = aws_iam_role.task[svc].arn
      LOG_GROUP             = aws_cloudwatch_log_group.service[svc].name
      SSM_PREFIX_ARN        = local.ssm_prefix_arn
      RUST_LOG              = var.rust_log
      CORS_ALLOWED_ORIGINS  = var.cors_allowed_origins
      RATE_LIMIT_PER_MINUTE = tostring(var.rate_limit_per_minute)
      APP_URL               = var.app_url
      VAPID_SUBJECT         = var.vapid_subject
      SCHEDULE_GROUP_NAME   = var.schedule_group_name
      SCHEDULER_ROLE_ARN    = var.scheduler_role_arn
      SCHEDULER_TARGET_ARN  = var.scheduler_bus_arn
      SCHEDULER_DLQ_ARN     = var.scheduler_dlq_arn
      METRICS_NAMESPACE     = var.metrics_namespace
      METRICS_LOG_GROUP     = aws_cloudwatch_log_group.metrics.name
    }
  }

  task_definitions = {
    for svc in keys(var.services) : svc => jsondecode(templatefile(
      "${var.templates_dir}/${svc}.json",
      merge(local.render_vars[svc], { IMAGE = "${var.image_repositories[svc]}:${var.image_tag}" })
    ))
  }
}

resource "aws_cloudwatch_log_group" "service" {
  for_each          = var.services
  name              = "/ecs/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_service_discovery_http_namespace" "main" {
  name        = var.name
  description = "Service Connect names of the internal gRPC services"
}

resource "aws_ecs_cluster" "main" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  service_connect_defaults {
    namespace = aws_service_discovery_http_namespace.main.arn
  }
}

resource "aws_ecs_cluster_capacity_providers" "main" {
  cluster_name       = aws_ecs_cluster.main.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
    base              = 1
  }
}

# --- roles ---

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

# Execution role: pull images, write logs, read this environment's SSM secrets.
resource "aws_iam_role" "execution" {
  name               = "${var.name}-ecs-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "execution_secrets" {
  statement {
    sid       = "ReadSecrets"
    actions   = ["ssm:GetParameters"]
    resources = ["${local.ssm_prefix_arn}/*"]
  }
  statement {
    sid       = "DecryptSecrets"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "execution_secrets" {
  name   = "read-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution_secrets.json
}

# Task roles: one per service. Each task's collector sidecar writes metrics (metrics.tf); only
# scheduler-service gets further AWS permissions.
resource "aws_iam_role" "task" {
  for_each           = var.services
  name               = "${var.name}-${each.key}-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "scheduler_service" {
  statement {
    sid = "ManageSchedulesInOwnGroup"
    actions = [
      "scheduler:CreateSchedule",
      "scheduler:UpdateSchedule",
      "scheduler:DeleteSchedule",
      "scheduler:GetSchedule",
    ]
    resources = ["arn:aws:scheduler:${var.aws_region}:${var.account_id}:schedule/${var.schedule_group_name}/*"]
  }
  statement {
    sid       = "ReadOwnGroup"
    actions   = ["scheduler:GetScheduleGroup", "scheduler:ListTagsForResource"]
    resources = [var.schedule_group_arn]
  }
  statement {
    # ListSchedules has no resource-level permissions; reconciliation filters by group name.
    sid       = "ListSchedules"
    actions   = ["scheduler:ListSchedules"]
    resources = ["*"]
  }
  statement {
    sid       = "PassSchedulerRole"
    actions   = ["iam:PassRole"]
    resources = [var.scheduler_role_arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["scheduler.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "scheduler_service" {
  name   = "manage-schedules"
  role   = aws_iam_role.task["scheduler-service"].id
  policy = data.aws_iam_policy_document.scheduler_service.json
}

# --- task definitions and services ---

# Tasks read these SSM parameters at start; services are created once they exist.
resource "terraform_data" "secrets_ready" {
  input = var.secret_parameter_arns
}

resource "aws_ecs_task_definition" "service" {
  for_each                 = local.task_definitions
  family                   = each.value.family
  network_mode             = each.value.networkMode
  requires_compatibilities = each.value.requiresCompatibilities
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = each.value.executionRoleArn
  task_role_arn            = each.value.taskRoleArn
  container_definitions    = jsonencode(each.value.containerDefinitions)

  runtime_platform {
    operating_system_family = each.value.runtimePlatform.operatingSystemFamily
    cpu_architecture        = each.value.runtimePlatform.cpuArchitecture
  }
}

resource "aws_ecs_service" "service" {
  for_each               = var.services
  name                   = each.key
  cluster                = aws_ecs_cluster.main.id
  task_definition        = aws_ecs_task_definition.service[each.key].arn
  desired_count          = each.value.desired_count
  launch_type            = "FARGATE"
  platform_version       = "LATEST"
  enable_execute_command = false
  propagate_tags         = "SERVICE"

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = each.key == "gateway" ? 60 : null

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [each.key == "gateway" ? var.gateway_security_group_id : var.internal_security_group_id]
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = each.key == "gateway" ? [1] : []
    content {
      target_group_arn = var.target_group_arn
      container_name   = "gateway"
      container_port   = 8080
    }
  }

  service_connect_configuration {
    enabled   = true
    namespace = aws_service_discovery_http_namespace.main.arn

    # The gateway is a client only; the internal services publish <name>:<port>.
    dynamic "service" {
      for_each = contains(keys(local.grpc_ports), each.key) ? [local.grpc_ports[each.key]] : []
      content {
        port_name      = "grpc"
        discovery_name = each.key
        client_alias {
          dns_name = each.key
          port     = service.value
        }
      }
    }
  }

  # The deploy and rollback workflows register new revisions; autoscaling owns the count.
  lifecycle {
    ignore_changes = [task_definition, desired_count]
  }

  depends_on = [aws_iam_role_policy.execution_secrets, terraform_data.secrets_ready, aws_ssm_parameter.otel_collector_config]
}

resource "aws_appautoscaling_target" "service" {
  for_each           = var.services
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.service[each.key].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = each.value.min_count
  max_capacity       = each.value.max_count
}

resource "aws_appautoscaling_policy" "cpu" {
  for_each           = var.services
  name               = "${var.name}-${each.key}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.service[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.service[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.service[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

# Render variables for the deploy workflow (ci/deploy/render_taskdef.py --vars).
resource "aws_ssm_parameter" "deploy_vars" {
  for_each    = var.services
  name        = "${var.ssm_prefix}/deploy/${each.key}"
  description = "task definition render variables of ${each.key} (no secrets)"
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = jsonencode(local.render_vars[each.key])
}
