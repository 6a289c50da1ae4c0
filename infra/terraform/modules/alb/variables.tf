variable "name" {
  description = "Resource name prefix (at most 26 characters: ALB and target group names are limited to 32)."
  type        = string
}

variable "vpc_id" {
  description = "VPC id."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets for the ALB."
  type        = list(string)
}

variable "security_group_id" {
  description = "ALB security group."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for the HTTPS listener."
  type        = string
}

variable "deletion_protection" {
  description = "ALB deletion protection; also keeps the log bucket from being force-destroyed."
  type        = bool
}

variable "domain_name" {
  description = "App host name."
  type        = string
}

variable "route53_zone_id" {
  description = "Hosted zone for the alias record, or empty for none."
  type        = string
}
