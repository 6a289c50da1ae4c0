//! The body EventBridge's rule delivers through the API destination is exactly what the trigger
//! parser takes. The body is rendered from the Terraform's input transformer by
//! `ci/deploy-checks.sh` into the fixture read here.

use gateway::trigger::{FireTarget, parse_trigger_body};

#[test]
fn the_input_transformers_body_is_accepted_by_the_trigger_parser() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../ci/deploy/fixtures/trigger-body.json"
    );
    let body = std::fs::read(fixture).expect("the rendered trigger body fixture exists");
    let parsed =
        parse_trigger_body(&body).expect("the trigger parser accepts what EventBridge sends");
    let rendered: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        parsed.target,
        FireTarget::ScheduleKey(rendered["scheduleKey"].as_str().unwrap().to_owned())
    );
    assert_eq!(
        parsed.scheduled_time,
        chrono::DateTime::parse_from_rfc3339(rendered["scheduledTime"].as_str().unwrap()).unwrap()
    );
    assert_eq!(
        parsed.execution_id.as_deref(),
        rendered["executionId"].as_str()
    );
}
