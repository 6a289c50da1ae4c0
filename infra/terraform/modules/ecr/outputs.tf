output "repository_urls" {
  description = "Repository URL per service."
  value       = { for k, r in aws_ecr_repository.service : k => r.repository_url }
}

output "repository_arns" {
  description = "Repository ARNs."
  value       = [for r in aws_ecr_repository.service : r.arn]
}
