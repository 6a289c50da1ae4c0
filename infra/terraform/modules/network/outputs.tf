output "vpc_id" {
  description = "VPC id."
  value       = aws_vpc.main.id
}

output "public_subnet_ids" {
  description = "Public subnets (ALB, NAT)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets (tasks, RDS, Redis)."
  value       = aws_subnet.private[*].id
}

output "alb_security_group_id" {
  description = "ALB security group."
  value       = aws_security_group.alb.id
}

output "gateway_security_group_id" {
  description = "Gateway task security group."
  value       = aws_security_group.gateway.id
}

output "internal_security_group_id" {
  description = "Internal service task security group."
  value       = aws_security_group.internal.id
}

output "db_security_group_id" {
  description = "RDS security group."
  value       = aws_security_group.db.id
}

output "redis_security_group_id" {
  description = "Redis security group."
  value       = aws_security_group.redis.id
}
