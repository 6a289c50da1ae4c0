variable "name" {
  description = "Resource name prefix."
  type        = string
}

variable "aws_region" {
  description = "Region of the metrics."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the alarm topic."
  type        = string
}

variable "alarm_email" {
  description = "Alarm recipient."
  type        = string
}

variable "cluster_name" {
  description = "ECS cluster name."
  type        = string
}

variable "service_names" {
  description = "ECS service names."
  type        = list(string)
}

variable "alb_arn_suffix" {
  description = "ALB ARN suffix."
  type        = string
}

variable "target_group_arn_suffix" {
  description = "Target group ARN suffix."
  type        = string
}

variable "db_instance_id" {
  description = "RDS instance identifier."
  type        = string
}

variable "redis_cluster_ids" {
  description = "ElastiCache cluster ids."
  type        = list(string)
}

variable "schedule_group_name" {
  description = "EventBridge Scheduler group."
  type        = string
}

variable "event_bus_name" {
  description = "Event bus of the scheduler events."
  type        = string
}

variable "trigger_rule_name" {
  description = "Rule that calls the trigger."
  type        = string
}

variable "dlq_names" {
  description = "Dead-letter queues to watch."
  type        = list(string)
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the services' own metrics (collector sidecar, decision 6)."
  type        = string
}
