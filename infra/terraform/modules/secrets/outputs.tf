output "scheduler_secret" {
  description = "The scheduler secret, for the EventBridge connection."
  value       = random_password.scheduler_secret.result
  sensitive   = true
}

output "parameter_arns" {
  description = "ARNs of the secret parameters."
  value       = concat([for p in aws_ssm_parameter.generated : p.arn], [for p in aws_ssm_parameter.operator_set : p.arn])
}
