variable "name" {
  description = "Resource name prefix; also the task definition family prefix."
  type        = string
}

variable "aws_region" {
  description = "Region."
  type        = string
}

variable "account_id" {
  description = "Account id."
  type        = string
}

variable "ssm_prefix" {
  description = "SSM path prefix of the secrets."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the secrets and log groups."
  type        = string
}

variable "log_retention_days" {
  description = "Service log retention."
  type        = number
}

variable "templates_dir" {
  description = "Directory of the task definition templates (the repository's ecs/)."
  type        = string
}

variable "services" {
  description = "Size and scaling per service."
  type = map(object({
    cpu           = number
    memory        = number
    min_count     = number
    max_count     = number
    desired_count = number
  }))
}

variable "image_repositories" {
  description = "ECR repository URL per service."
  type        = map(string)
}

variable "image_tag" {
  description = "Image tag for the revisions Terraform registers."
  type        = string
}

variable "private_subnet_ids" {
  description = "Subnets of the tasks."
  type        = list(string)
}

variable "gateway_security_group_id" {
  description = "Security group of gateway tasks."
  type        = string
}

variable "internal_security_group_id" {
  description = "Security group of internal service tasks."
  type        = string
}

variable "target_group_arn" {
  description = "ALB target group of the gateway."
  type        = string
}

variable "schedule_group_name" {
  description = "SCHEDULE_GROUP_NAME."
  type        = string
}

variable "schedule_group_arn" {
  description = "Schedule group ARN."
  type        = string
}

variable "scheduler_role_arn" {
  description = "SCHEDULER_ROLE_ARN."
  type        = string
}

variable "scheduler_bus_arn" {
  description = "SCHEDULER_TARGET_ARN."
  type        = string
}

variable "scheduler_dlq_arn" {
  description = "SCHEDULER_DLQ_ARN."
  type        = string
}

variable "app_url" {
  description = "APP_URL."
  type        = string
}

variable "cors_allowed_origins" {
  description = "CORS_ALLOWED_ORIGINS."
  type        = string
}

variable "rate_limit_per_minute" {
  description = "RATE_LIMIT_PER_MINUTE."
  type        = number
}

variable "vapid_subject" {
  description = "VAPID_SUBJECT."
  type        = string
}

variable "rust_log" {
  description = "RUST_LOG."
  type        = string
}

variable "secret_parameter_arns" {
  description = "SSM parameters the tasks read; listed so services are created after them."
  type        = list(string)
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the services' metrics (METRICS_NAMESPACE of the collector sidecar)."
  type        = string
}
