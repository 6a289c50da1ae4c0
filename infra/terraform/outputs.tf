output "alb_dns_name" {
  description = "DNS name of the ALB; point domain_name at it if Route 53 is not managed here."
  value       = module.alb.alb_dns_name
}

output "cloudwatch_dashboard_url" {
  description = "CloudWatch dashboard of the stack."
  value       = module.monitoring.dashboard_url
}

output "metrics_log_group_name" {
  description = "Log group of the services' metrics as Embedded Metric Format events (namespace AlertSystem/<environment>)."
  value       = module.ecs.metrics_log_group_name
}

output "app_url" {
  description = "Public URL of the app."
  value       = local.app_url
}

output "ecr_repository_urls" {
  description = "ECR repository per service."
  value       = module.ecr.repository_urls
}

output "ecs_cluster_name" {
  description = "ECS cluster name (deploy workflow: ECS_CLUSTER)."
  value       = module.ecs.cluster_name
}

output "deploy_role_arn" {
  description = "IAM role GitHub Actions assumes through OIDC (repository variable AWS_DEPLOY_ROLE_ARN)."
  value       = module.github_oidc.deploy_role_arn
}

output "deploy_parameter_prefix" {
  description = "SSM prefix of the per-service task-definition render variables the deploy workflow reads."
  value       = "${local.ssm_prefix}/deploy"
}
