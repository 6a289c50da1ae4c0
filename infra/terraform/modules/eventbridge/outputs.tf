output "schedule_group_name" {
  description = "SCHEDULE_GROUP_NAME."
  value       = aws_scheduler_schedule_group.alerts.name
}

output "schedule_group_arn" {
  description = "Schedule group ARN."
  value       = aws_scheduler_schedule_group.alerts.arn
}

output "scheduler_role_arn" {
  description = "SCHEDULER_ROLE_ARN: the role schedules run as."
  value       = aws_iam_role.scheduler.arn
}

output "event_bus_arn" {
  description = "SCHEDULER_TARGET_ARN: the bus schedules put events on."
  value       = aws_cloudwatch_event_bus.scheduler.arn
}

output "event_bus_name" {
  description = "Event bus name."
  value       = aws_cloudwatch_event_bus.scheduler.name
}

output "scheduler_dlq_arn" {
  description = "SCHEDULER_DLQ_ARN: dead-letter queue of the schedules."
  value       = aws_sqs_queue.scheduler_dlq.arn
}

output "rule_name" {
  description = "Name of the rule that calls the trigger."
  value       = aws_cloudwatch_event_rule.trigger.name
}

output "dlq_names" {
  description = "Both dead-letter queues, for alarms."
  value       = [aws_sqs_queue.scheduler_dlq.name, aws_sqs_queue.trigger_dlq.name]
}
