output "member_cluster_ids" {
  description = "Cache cluster ids (CloudWatch dimension)."
  value       = sort(tolist(aws_elasticache_replication_group.main.member_clusters))
}

output "redis_url_parameter_arn" {
  description = "ARN of the REDIS_URL parameter."
  value       = aws_ssm_parameter.redis_url.arn
}
