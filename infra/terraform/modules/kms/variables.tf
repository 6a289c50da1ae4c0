variable "name" {
  description = "Resource name prefix."
  type        = string
}

variable "aws_region" {
  description = "Region, for the CloudWatch Logs service principal."
  type        = string
}

variable "account_id" {
  description = "AWS account id that owns the key."
  type        = string
}
