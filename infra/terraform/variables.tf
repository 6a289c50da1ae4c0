variable "project" {
  description = "Name prefix for every resource and the SSM path (/<project>/<environment>/...)."
  type        = string
  default     = "alert-system"
}

variable "environment" {
  description = "Deployment environment, e.g. prod or staging."
  type        = string
  default     = "prod"
}

variable "aws_region" {
  description = "AWS region of the whole stack."
  type        = string
  default     = "ap-northeast-2"
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC; split into two public and two private subnets."
  type        = string
  default     = "10.40.0.0/16"
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per AZ (true, survives an AZ outage) or one shared (false, cheaper)."
  type        = bool
  default     = true
}

variable "domain_name" {
  description = "Public host name of the app (the ACM certificate must cover it); EventBridge calls https://<domain_name>/scheduler/trigger."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate ARN for the ALB HTTPS listener."
  type        = string
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone for domain_name; when set, an alias record to the ALB is created."
  type        = string
  default     = ""
}

variable "alarm_email" {
  description = "Email address subscribed to the alarm SNS topic (confirm the subscription mail)."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose workflows may assume the deploy role."
  type        = string
}

variable "create_github_oidc_provider" {
  description = "Create the GitHub Actions OIDC provider (only one per account; set false if it exists)."
  type        = bool
  default     = true
}

variable "image_tag" {
  description = "Image tag Terraform puts in the task definitions it registers; the deploy workflow registers later revisions with the commit SHA."
  type        = string
  default     = "latest-deployed"
}

variable "deletion_protection" {
  description = "Deletion protection on the ALB and RDS, and a final RDS snapshot. Keep true in prod."
  type        = bool
  default     = true
}

variable "db_instance_class" {
  description = "RDS PostgreSQL instance class."
  type        = string
  default     = "db.t4g.small"
}

variable "db_allocated_storage" {
  description = "RDS storage in GiB (gp3); grows automatically up to 5x."
  type        = number
  default     = 20
}

variable "db_multi_az" {
  description = "RDS Multi-AZ standby. Keep true in prod."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days of automated RDS backups."
  type        = number
  default     = 7
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.micro"
}

variable "redis_replicas" {
  description = "Redis replicas beside the primary; 1 or more enables automatic failover and Multi-AZ."
  type        = number
  default     = 1
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention for service logs, metric events, VPC flow logs and the Redis slow log."
  type        = number
  default     = 365
}

variable "services" {
  description = "Fargate size and autoscaling range per service."
  type = map(object({
    cpu           = number
    memory        = number
    min_count     = number
    max_count     = number
    desired_count = number
  }))
  default = {
    "gateway"           = { cpu = 256, memory = 512, min_count = 2, max_count = 6, desired_count = 2 }
    "alert-service"     = { cpu = 256, memory = 512, min_count = 2, max_count = 6, desired_count = 2 }
    "scheduler-service" = { cpu = 256, memory = 512, min_count = 1, max_count = 3, desired_count = 2 }
    "notifier-service"  = { cpu = 512, memory = 1024, min_count = 2, max_count = 8, desired_count = 2 }
  }
}

variable "cors_allowed_origins" {
  description = "CORS_ALLOWED_ORIGINS for the gateway; defaults to https://<domain_name>."
  type        = string
  default     = ""
}

variable "rate_limit_per_minute" {
  description = "RATE_LIMIT_PER_MINUTE for the gateway (requests per client per minute)."
  type        = number
  default     = 120
}

variable "vapid_subject" {
  description = "VAPID_SUBJECT: mailto: or https: contact sent to push services."
  type        = string
}

variable "rust_log" {
  description = "RUST_LOG filter for every service."
  type        = string
  default     = "info,sqlx=warn,h2=warn,hyper=warn,tower=warn"
}

variable "api_destination_rate_per_second" {
  description = "Maximum calls per second EventBridge makes to POST /scheduler/trigger."
  type        = number
  default     = 300
}
