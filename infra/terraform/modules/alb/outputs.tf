output "alb_dns_name" {
  description = "ALB DNS name."
  value       = aws_lb.main.dns_name
}

output "alb_arn_suffix" {
  description = "ALB ARN suffix for CloudWatch metrics."
  value       = aws_lb.main.arn_suffix
}

output "target_group_arn" {
  description = "Gateway target group."
  value       = aws_lb_target_group.gateway.arn
}

output "target_group_arn_suffix" {
  description = "Target group ARN suffix for CloudWatch metrics."
  value       = aws_lb_target_group.gateway.arn_suffix
}
