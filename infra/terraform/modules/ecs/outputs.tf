output "cluster_name" {
  description = "Cluster name."
  value       = aws_ecs_cluster.main.name
}

output "cluster_arn" {
  description = "Cluster ARN."
  value       = aws_ecs_cluster.main.arn
}

output "service_arns" {
  description = "Service ARNs."
  value       = [for s in aws_ecs_service.service : s.id]
}

output "role_arns" {
  description = "Execution and task roles (the deploy role may pass them)."
  value       = concat([aws_iam_role.execution.arn], [for r in aws_iam_role.task : r.arn])
}

output "deploy_parameter_arns" {
  description = "ARNs of the render-variable parameters."
  value       = [for p in aws_ssm_parameter.deploy_vars : p.arn]
}

output "metrics_log_group_name" {
  description = "Log group of the collector sidecars' Embedded Metric Format events."
  value       = aws_cloudwatch_log_group.metrics.name
}
