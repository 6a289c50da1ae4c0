# ElastiCache Redis for the notifier's Redis Streams queue: TLS in transit, AUTH token, encrypted
# at rest, automatic failover when there is a replica. REDIS_URL (rediss://) is an SSM SecureString.

resource "random_password" "auth" {
  length  = 48
  special = false
}

resource "aws_elasticache_subnet_group" "main" {
  name       = var.name
  subnet_ids = var.private_subnet_ids
}

resource "aws_cloudwatch_log_group" "slow_log" {
  name              = "/elasticache/${var.name}/slow-log"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_elasticache_replication_group" "main" {
  replication_group_id = var.name
  description          = "${var.name} notifier queue"
  engine               = "redis"
  engine_version       = "7.1"
  node_type            = var.node_type
  port                 = 6379
  num_cache_clusters   = 1 + var.replicas
  parameter_group_name = "default.redis7"

  automatic_failover_enabled = var.replicas > 0
  multi_az_enabled           = var.replicas > 0

  subnet_group_name  = aws_elasticache_subnet_group.main.name
  security_group_ids = [var.security_group_id]

  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  transit_encryption_enabled = true
  auth_token                 = random_password.auth.result

  snapshot_retention_limit   = 3
  snapshot_window            = "16:00-17:00"
  maintenance_window         = "sun:19:30-sun:20:30"
  auto_minor_version_upgrade = true
  apply_immediately          = false

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.slow_log.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }
}

resource "aws_ssm_parameter" "redis_url" {
  name        = "${var.ssm_prefix}/redis-url"
  description = "REDIS_URL of notifier-service (TLS and AUTH)"
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = "rediss://:${random_password.auth.result}@${aws_elasticache_replication_group.main.primary_endpoint_address}:6379"
}
