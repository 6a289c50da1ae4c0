variable "name" {
  description = "Resource name prefix."
  type        = string
}

variable "vpc_cidr" {
  description = "VPC CIDR block."
  type        = string
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per AZ instead of one shared."
  type        = bool
}

variable "kms_key_arn" {
  description = "KMS key for the flow log group."
  type        = string
}

variable "log_retention_days" {
  description = "Flow log retention."
  type        = number
}
