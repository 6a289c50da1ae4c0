variable "name" {
  description = "Repository namespace (repositories are <name>/<service>)."
  type        = string
}

variable "service_names" {
  description = "Services that get a repository."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key for image encryption."
  type        = string
}

variable "keep_images" {
  description = "Images kept per repository; older ones expire (task definitions older than this cannot be rolled back to)."
  type        = number
  default     = 30
}
