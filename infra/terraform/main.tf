data "aws_caller_identity" "current" {}

locals {
  name          = "${var.project}-${var.environment}"
  ssm_prefix    = "/${var.project}/${var.environment}"
  account_id    = data.aws_caller_identity.current.account_id
  service_names = sort(keys(var.services))
  app_url       = "https://${var.domain_name}"
  # CloudWatch namespace of the services' own metrics (OpenTelemetry through the collector sidecar).
  metrics_namespace = "AlertSystem/${var.environment}"
}

module "kms" {
  source     = "./modules/kms"
  name       = local.name
  aws_region = var.aws_region
  account_id = local.account_id
}

module "network" {
  source             = "./modules/network"
  name               = local.name
  vpc_cidr           = var.vpc_cidr
  nat_gateway_per_az = var.nat_gateway_per_az
  kms_key_arn        = module.kms.key_arn
  log_retention_days = var.log_retention_days
}

module "alb" {
  source              = "./modules/alb"
  name                = local.name
  vpc_id              = module.network.vpc_id
  public_subnet_ids   = module.network.public_subnet_ids
  security_group_id   = module.network.alb_security_group_id
  certificate_arn     = var.certificate_arn
  deletion_protection = var.deletion_protection
  domain_name         = var.domain_name
  route53_zone_id     = var.route53_zone_id
}

module "ecr" {
  source        = "./modules/ecr"
  name          = var.project
  service_names = local.service_names
  kms_key_arn   = module.kms.key_arn
}

module "secrets" {
  source      = "./modules/secrets"
  ssm_prefix  = local.ssm_prefix
  kms_key_arn = module.kms.key_arn
}

module "rds" {
  source                = "./modules/rds"
  name                  = local.name
  ssm_prefix            = local.ssm_prefix
  private_subnet_ids    = module.network.private_subnet_ids
  security_group_id     = module.network.db_security_group_id
  kms_key_arn           = module.kms.key_arn
  instance_class        = var.db_instance_class
  allocated_storage     = var.db_allocated_storage
  multi_az              = var.db_multi_az
  backup_retention_days = var.db_backup_retention_days
  deletion_protection   = var.deletion_protection
}

module "redis" {
  source             = "./modules/redis"
  name               = local.name
  ssm_prefix         = local.ssm_prefix
  private_subnet_ids = module.network.private_subnet_ids
  security_group_id  = module.network.redis_security_group_id
  kms_key_arn        = module.kms.key_arn
  node_type          = var.redis_node_type
  replicas           = var.redis_replicas
  log_retention_days = var.log_retention_days
}

module "eventbridge" {
  source                = "./modules/eventbridge"
  name                  = local.name
  trigger_url           = "${local.app_url}/scheduler/trigger"
  scheduler_secret      = module.secrets.scheduler_secret
  rate_limit_per_second = var.api_destination_rate_per_second
}

module "ecs" {
  source             = "./modules/ecs"
  name               = local.name
  aws_region         = var.aws_region
  account_id         = local.account_id
  ssm_prefix         = local.ssm_prefix
  kms_key_arn        = module.kms.key_arn
  log_retention_days = var.log_retention_days
  templates_dir      = "${path.root}/../../ecs"
  services           = var.services
  image_repositories = module.ecr.repository_urls
  image_tag          = var.image_tag

  private_subnet_ids         = module.network.private_subnet_ids
  gateway_security_group_id  = module.network.gateway_security_group_id
  internal_security_group_id = module.network.internal_security_group_id
  target_group_arn           = module.alb.target_group_arn

  schedule_group_name = module.eventbridge.schedule_group_name
  schedule_group_arn  = module.eventbridge.schedule_group_arn
  scheduler_role_arn  = module.eventbridge.scheduler_role_arn
  scheduler_bus_arn   = module.eventbridge.event_bus_arn
  scheduler_dlq_arn   = module.eventbridge.scheduler_dlq_arn

  app_url               = local.app_url
  cors_allowed_origins  = var.cors_allowed_origins != "" ? var.cors_allowed_origins : local.app_url
  rate_limit_per_minute = var.rate_limit_per_minute
  vapid_subject         = var.vapid_subject
  rust_log              = var.rust_log
  metrics_namespace     = local.metrics_namespace

  # The SSM parameters a task reads must exist before it starts.
  secret_parameter_arns = concat(module.secrets.parameter_arns, [module.rds.database_url_parameter_arn, module.redis.redis_url_parameter_arn])
}

module "monitoring" {
  source                  = "./modules/monitoring"
  name                    = local.name
  aws_region              = var.aws_region
  kms_key_arn             = module.kms.key_arn
  alarm_email             = var.alarm_email
  cluster_name            = module.ecs.cluster_name
  service_names           = local.service_names
  alb_arn_suffix          = module.alb.alb_arn_suffix
  target_group_arn_suffix = module.alb.target_group_arn_suffix
  db_instance_id          = module.rds.instance_id
  redis_cluster_ids       = module.redis.member_cluster_ids
  schedule_group_name     = module.eventbridge.schedule_group_name
  event_bus_name          = module.eventbridge.event_bus_name
  trigger_rule_name       = module.eventbridge.rule_name
  dlq_names               = module.eventbridge.dlq_names
  metrics_namespace       = local.metrics_namespace
}

module "github_oidc" {
  source                = "./modules/github-oidc"
  name                  = local.name
  github_repository     = var.github_repository
  create_oidc_provider  = var.create_github_oidc_provider
  ecr_repository_arns   = module.ecr.repository_arns
  service_arns          = module.ecs.service_arns
  pass_role_arns        = module.ecs.role_arns
  deploy_parameter_arns = module.ecs.deploy_parameter_arns
  kms_key_arn           = module.kms.key_arn
  account_id            = local.account_id
}
