variable "name" {
  description = "Resource name prefix."
  type        = string
}

variable "ssm_prefix" {
  description = "SSM path prefix for REDIS_URL."
  type        = string
}

variable "private_subnet_ids" {
  description = "Subnets of the cache subnet group."
  type        = list(string)
}

variable "security_group_id" {
  description = "Redis security group."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for data at rest, the slow log and REDIS_URL."
  type        = string
}

variable "node_type" {
  description = "Node type."
  type        = string
}

variable "replicas" {
  description = "Replicas beside the primary."
  type        = number
}

variable "log_retention_days" {
  description = "Slow log retention."
  type        = number
}
