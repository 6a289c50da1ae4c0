variable "name" {
  description = "Resource name prefix."
  type        = string
}

variable "trigger_url" {
  description = "Full URL of the gateway's POST /scheduler/trigger."
  type        = string
}

variable "scheduler_secret" {
  description = "Value of the x-scheduler-secret header (SCHEDULER_SECRET of the gateway)."
  type        = string
  sensitive   = true
}

variable "rate_limit_per_second" {
  description = "API destination invocation rate limit."
  type        = number
}
