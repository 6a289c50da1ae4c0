variable "ssm_prefix" {
  description = "SSM path prefix, /<project>/<environment>."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for SecureString parameters."
  type        = string
}
