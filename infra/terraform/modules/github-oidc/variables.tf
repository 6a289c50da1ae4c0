variable "name" {
  description = "Resource name prefix."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the repository."
  type        = string
}

variable "create_oidc_provider" {
  description = "Create the account's GitHub OIDC provider."
  type        = bool
}

variable "ecr_repository_arns" {
  description = "Repositories the workflow pushes to."
  type        = list(string)
}

variable "service_arns" {
  description = "ECS services the workflow updates."
  type        = list(string)
}

variable "pass_role_arns" {
  description = "Execution and task roles named in the task definitions."
  type        = list(string)
}

variable "deploy_parameter_arns" {
  description = "SSM parameters with render variables."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key of ECR and SSM."
  type        = string
}

variable "account_id" {
  description = "Account id."
  type        = string
}
