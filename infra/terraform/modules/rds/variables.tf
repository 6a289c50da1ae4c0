variable "name" {
  description = "Resource name prefix."
  type        = string
}

variable "ssm_prefix" {
  description = "SSM path prefix for the password and DATABASE_URL."
  type        = string
}

variable "private_subnet_ids" {
  description = "Subnets of the DB subnet group."
  type        = list(string)
}

variable "security_group_id" {
  description = "DB security group."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for storage, Performance Insights and the SSM parameters."
  type        = string
}

variable "instance_class" {
  description = "Instance class."
  type        = string
}

variable "allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
}

variable "multi_az" {
  description = "Multi-AZ standby."
  type        = bool
  default     = true
}

variable "backup_retention_days" {
  description = "Automated backup retention in days."
  type        = number
}

variable "deletion_protection" {
  description = "Deletion protection and a final snapshot."
  type        = bool
  default     = true
}
