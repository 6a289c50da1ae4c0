output "instance_id" {
  description = "RDS instance identifier (CloudWatch dimension)."
  value       = aws_db_instance.main.identifier
}

output "database_url_parameter_arn" {
  description = "ARN of the DATABASE_URL parameter."
  value       = aws_ssm_parameter.database_url.arn
}
