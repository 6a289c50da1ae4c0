//! Test doubles of the services behind the gateway: they record each call (method, `x-user-id`
//! metadata, message) and answer canned responses, or the error a test asked for.

use std::{
    any::Any,
    collections::HashMap,
    sync::{Arc, Mutex},
};

use alert_proto::v1::{
    air_quality_service_server::{AirQualityService, AirQualityServiceServer},
    alert_runner_service_server::{AlertRunnerService, AlertRunnerServiceServer},
    alert_service_server::{AlertService, AlertServiceServer},
    auth_service_server::{AuthService, AuthServiceServer},
    notifier_service_server::{NotifierService, NotifierServiceServer},
    push_service_server::{PushService, PushServiceServer},
    scheduler_service_server::{SchedulerService, SchedulerServiceServer},
    *,
};
use tonic::{Request, Response, Status};

/// One call a fake received.
pub struct Call {
    pub method: &'static str,
    pub user_id: Option<String>,
    message: Box<dyn Any + Send>,
}

type StatusFactory = Box<dyn Fn() -> Status + Send + Sync>;

/// Calls received by every fake, in order, and the failures tests asked for.
#[derive(Default)]
pub struct Recorder {
    calls: Mutex<Vec<Call>>,
    failures: Mutex<HashMap<&'static str, StatusFactory>>,
    scheduler_answer: Mutex<Option<FireResponse>>,
    hanging: Mutex<Vec<&'static str>>,
}

impl Recorder {
    async fn record<T: Clone + Send + 'static>(
        &self,
        method: &'static str,
        request: Request<T>,
    ) -> Result<T, Status> {
        if self.hanging.lock().unwrap().contains(&method) {
            std::future::pending::<()>().await;
        }
        let user_id = request
            .metadata()
            .get("x-user-id")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let message = request.into_inner();
        self.calls.lock().unwrap().push(Call {
            method,
            user_id,
            message: Box::new(message.clone()),
        });
        match self.failures.lock().unwrap().get(method) {
            Some(failure) => Err(failure()),
            None => Ok(message),
        }
    }

    /// Makes every later call of `method` (e.g. "AlertService/CreateAlert") fail with `status()`.
    pub fn fail(&self, method: &'static str, status: impl Fn() -> Status + Send + Sync + 'static) {
        self.failures
            .lock()
            .unwrap()
            .insert(method, Box::new(status));
    }

    /// Makes every later call of `method` wait forever.
    pub fn hang(&self, method: &'static str) {
        self.hanging.lock().unwrap().push(method);
    }

    /// What `Fire` answers from now on.
    pub fn answer_fire(&self, response: FireResponse) {
        *self.scheduler_answer.lock().unwrap() = Some(response);
    }

    /// Every method called so far, with the user it was called for.
    pub fn calls(&self) -> Vec<(&'static str, Option<String>)> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .map(|call| (call.method, call.user_id.clone()))
            .collect()
    }

    pub fn called(&self, method: &str) -> bool {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .any(|call| call.method == method)
    }

    /// The last call of `method`: its user and message.
    pub fn last<T: Clone + 'static>(&self, method: &str) -> (Option<String>, T) {
        let calls = self.calls.lock().unwrap();
        let call = calls
            .iter()
            .rev()
            .find(|call| call.method == method)
            .unwrap_or_else(|| panic!("{method} was never called"));
        let message = call
            .message
            .downcast_ref::<T>()
            .unwrap_or_else(|| panic!("{method} recorded another message type"));
        (call.user_id.clone(), message.clone())
    }
}

pub fn sample_user() -> User {
    User {
        id: "user-1".into(),
        email: "ada@example.com".into(),
        created_at: "2024-01-01T00:00:00Z".into(),
        language: Language::Ko.into(),
    }
}

pub fn sample_alert(id: &str) -> Alert {
    Alert {
        id: id.into(),
        name: "fine dust".into(),
        schedule: "0 8 * * 1-5".into(),
        timezone: "Asia/Seoul".into(),
        title: "PM2.5".into(),
        body: "check the air".into(),
        enabled: true,
        created_at: "2024-01-01T00:00:00Z".into(),
        updated_at: "2024-01-02T00:00:00Z".into(),
        content: Some(AlertContent {
            kind: Some(alert_content::Kind::Plain(PlainContent {})),
        }),
    }
}

pub fn sample_station(name: &str) -> Station {
    Station {
        name: name.into(),
        address: format!("서울 {name}"),
        latitude: 37.57,
        longitude: 127.0,
    }
}

fn session() -> Session {
    Session {
        access_token: "access".into(),
        refresh_token: "refresh".into(),
        expires_in: 900,
        user: Some(sample_user()),
    }
}

/// alert-service: `AuthService`, `AlertService`, and the internal `AlertRunnerService`.
#[derive(Clone)]
pub struct FakeAlertService(pub Arc<Recorder>);

#[tonic::async_trait]
impl AuthService for FakeAlertService {
    async fn register(
        &self,
        request: Request<RegisterRequest>,
    ) -> Result<Response<RegisterResponse>, Status> {
        self.0.record("AuthService/Register", request).await?;
        Ok(Response::new(RegisterResponse {
            user: Some(sample_user()),
        }))
    }
    async fn login(
        &self,
        request: Request<LoginRequest>,
    ) -> Result<Response<LoginResponse>, Status> {
        self.0.record("AuthService/Login", request).await?;
        Ok(Response::new(LoginResponse {
            session: Some(session()),
        }))
    }
    async fn refresh(
        &self,
        request: Request<RefreshRequest>,
    ) -> Result<Response<RefreshResponse>, Status> {
        self.0.record("AuthService/Refresh", request).await?;
        Ok(Response::new(RefreshResponse {
            session: Some(session()),
        }))
    }
    async fn logout(
        &self,
        request: Request<LogoutRequest>,
    ) -> Result<Response<LogoutResponse>, Status> {
        self.0.record("AuthService/Logout", request).await?;
        Ok(Response::new(LogoutResponse {}))
    }
    async fn get_me(
        &self,
        request: Request<GetMeRequest>,
    ) -> Result<Response<GetMeResponse>, Status> {
        self.0.record("AuthService/GetMe", request).await?;
        Ok(Response::new(GetMeResponse {
            user: Some(sample_user()),
        }))
    }
    async fn update_settings(
        &self,
        request: Request<UpdateSettingsRequest>,
    ) -> Result<Response<UpdateSettingsResponse>, Status> {
        let message = self.0.record("AuthService/UpdateSettings", request).await?;
        Ok(Response::new(UpdateSettingsResponse {
            user: Some(User {
                language: message.language.unwrap_or_default(),
                ..sample_user()
            }),
        }))
    }
}

#[tonic::async_trait]
impl AlertService for FakeAlertService {
    async fn create_alert(
        &self,
        request: Request<CreateAlertRequest>,
    ) -> Result<Response<CreateAlertResponse>, Status> {
        let message = self.0.record("AlertService/CreateAlert", request).await?;
        let alert = Alert {
            name: message.name,
            schedule: message.schedule,
            ..sample_alert("alert-new")
        };
        Ok(Response::new(CreateAlertResponse { alert: Some(alert) }))
    }
    async fn get_alert(
        &self,
        request: Request<GetAlertRequest>,
    ) -> Result<Response<GetAlertResponse>, Status> {
        let message = self.0.record("AlertService/GetAlert", request).await?;
        Ok(Response::new(GetAlertResponse {
            alert: Some(sample_alert(&message.id)),
        }))
    }
    async fn list_alerts(
        &self,
        request: Request<ListAlertsRequest>,
    ) -> Result<Response<ListAlertsResponse>, Status> {
        self.0.record("AlertService/ListAlerts", request).await?;
        Ok(Response::new(ListAlertsResponse {
            alerts: vec![sample_alert("alert-1"), sample_alert("alert-2")],
        }))
    }
    async fn update_alert(
        &self,
        request: Request<UpdateAlertRequest>,
    ) -> Result<Response<UpdateAlertResponse>, Status> {
        let message = self.0.record("AlertService/UpdateAlert", request).await?;
        Ok(Response::new(UpdateAlertResponse {
            alert: Some(sample_alert(&message.id)),
        }))
    }
    async fn toggle_alert(
        &self,
        request: Request<ToggleAlertRequest>,
    ) -> Result<Response<ToggleAlertResponse>, Status> {
        let message = self.0.record("AlertService/ToggleAlert", request).await?;
        Ok(Response::new(ToggleAlertResponse {
            alert: Some(Alert {
                enabled: false,
                ..sample_alert(&message.id)
            }),
        }))
    }
    async fn delete_alert(
        &self,
        request: Request<DeleteAlertRequest>,
    ) -> Result<Response<DeleteAlertResponse>, Status> {
        self.0.record("AlertService/DeleteAlert", request).await?;
        Ok(Response::new(DeleteAlertResponse {}))
    }
    async fn preview_next_runs(
        &self,
        request: Request<PreviewNextRunsRequest>,
    ) -> Result<Response<PreviewNextRunsResponse>, Status> {
        self.0
            .record("AlertService/PreviewNextRuns", request)
            .await?;
        Ok(Response::new(PreviewNextRunsResponse {
            next_runs: vec![
                "2024-01-01T08:00:00+09:00".into(),
                "2024-01-02T08:00:00+09:00".into(),
            ],
            timezone: "Asia/Seoul".into(),
        }))
    }
    async fn list_alert_runs(
        &self,
        request: Request<ListAlertRunsRequest>,
    ) -> Result<Response<ListAlertRunsResponse>, Status> {
        self.0.record("AlertService/ListAlertRuns", request).await?;
        Ok(Response::new(ListAlertRunsResponse {
            runs: vec![
                AlertRun {
                    scheduled_time: "2024-01-02T08:00:00+09:00".into(),
                    outcome: AlertRunOutcome::Skipped.into(),
                    deliveries: 0,
                    reason: "condition not met: PM2.5 is good (12 µg/m³), below bad".into(),
                    created_at: "2024-01-01T23:00:01Z".into(),
                },
                AlertRun {
                    scheduled_time: "2024-01-01T08:00:00+09:00".into(),
                    outcome: AlertRunOutcome::Sent.into(),
                    deliveries: 2,
                    reason: String::new(),
                    created_at: "2023-12-31T23:00:01Z".into(),
                },
            ],
        }))
    }
}

#[tonic::async_trait]
impl AirQualityService for FakeAlertService {
    async fn search_stations(
        &self,
        request: Request<SearchStationsRequest>,
    ) -> Result<Response<SearchStationsResponse>, Status> {
        self.0
            .record("AirQualityService/SearchStations", request)
            .await?;
        Ok(Response::new(SearchStationsResponse {
            stations: vec![sample_station("종로구"), sample_station("중구")],
        }))
    }
    async fn nearest_stations(
        &self,
        request: Request<NearestStationsRequest>,
    ) -> Result<Response<NearestStationsResponse>, Status> {
        self.0
            .record("AirQualityService/NearestStations", request)
            .await?;
        Ok(Response::new(NearestStationsResponse {
            stations: vec![NearbyStation {
                station: Some(sample_station("종로구")),
                distance_km: 0.25,
            }],
        }))
    }
    async fn get_station_reading(
        &self,
        request: Request<GetStationReadingRequest>,
    ) -> Result<Response<GetStationReadingResponse>, Status> {
        let message = self
            .0
            .record("AirQualityService/GetStationReading", request)
            .await?;
        Ok(Response::new(GetStationReadingResponse {
            reading: Some(StationReading {
                station: message.station,
                measured_at: "2024-01-02T08:00:00+09:00".into(),
                pm10: Some(PollutantReading {
                    value: Some(45),
                    grade: AirQualityGrade::Moderate.into(),
                }),
                pm25: Some(PollutantReading {
                    value: None,
                    grade: AirQualityGrade::Unspecified.into(),
                }),
                worse_grade: AirQualityGrade::Moderate.into(),
            }),
        }))
    }
}

#[tonic::async_trait]
impl AlertRunnerService for FakeAlertService {
    async fn run_alert(
        &self,
        request: Request<RunAlertRequest>,
    ) -> Result<Response<RunAlertResponse>, Status> {
        self.0
            .record("AlertRunnerService/RunAlert", request)
            .await?;
        Ok(Response::new(RunAlertResponse::default()))
    }
}

/// notifier-service: `PushService` and the internal `NotifierService`.
#[derive(Clone)]
pub struct FakeNotifierService(pub Arc<Recorder>);

#[tonic::async_trait]
impl PushService for FakeNotifierService {
    async fn get_vapid_public_key(
        &self,
        request: Request<GetVapidPublicKeyRequest>,
    ) -> Result<Response<GetVapidPublicKeyResponse>, Status> {
        self.0
            .record("PushService/GetVapidPublicKey", request)
            .await?;
        Ok(Response::new(GetVapidPublicKeyResponse {
            public_key: "BPublicKey".into(),
        }))
    }
    async fn subscribe(
        &self,
        request: Request<SubscribeRequest>,
    ) -> Result<Response<SubscribeResponse>, Status> {
        self.0.record("PushService/Subscribe", request).await?;
        Ok(Response::new(SubscribeResponse {
            id: "subscription-1".into(),
        }))
    }
    async fn unsubscribe(
        &self,
        request: Request<UnsubscribeRequest>,
    ) -> Result<Response<UnsubscribeResponse>, Status> {
        self.0.record("PushService/Unsubscribe", request).await?;
        Ok(Response::new(UnsubscribeResponse {}))
    }
    async fn list_subscriptions(
        &self,
        request: Request<ListSubscriptionsRequest>,
    ) -> Result<Response<ListSubscriptionsResponse>, Status> {
        self.0
            .record("PushService/ListSubscriptions", request)
            .await?;
        Ok(Response::new(ListSubscriptionsResponse {
            subscriptions: vec![PushSubscription {
                id: "subscription-1".into(),
                endpoint: "https://push.example/1".into(),
                created_at: "2024-01-01T00:00:00Z".into(),
            }],
        }))
    }
    async fn send_test_notification(
        &self,
        request: Request<SendTestNotificationRequest>,
    ) -> Result<Response<SendTestNotificationResponse>, Status> {
        self.0
            .record("PushService/SendTestNotification", request)
            .await?;
        Ok(Response::new(SendTestNotificationResponse { queued: 2 }))
    }
    async fn list_deliveries(
        &self,
        request: Request<ListDeliveriesRequest>,
    ) -> Result<Response<ListDeliveriesResponse>, Status> {
        self.0.record("PushService/ListDeliveries", request).await?;
        Ok(Response::new(ListDeliveriesResponse {
            deliveries: vec![
                Delivery {
                    id: "delivery-2".into(),
                    alert_id: "alert-1".into(),
                    subscription_id: "subscription-1".into(),
                    status: DeliveryStatus::Delivered.into(),
                    attempts: 1,
                    push_status_code: 201,
                    error: String::new(),
                    title: "PM2.5".into(),
                    created_at: "2024-01-01T08:00:00Z".into(),
                    updated_at: "2024-01-01T08:00:01Z".into(),
                    delivered_at: "2024-01-01T08:00:01Z".into(),
                },
                Delivery {
                    id: "delivery-1".into(),
                    subscription_id: "subscription-1".into(),
                    status: DeliveryStatus::Failed.into(),
                    attempts: 5,
                    push_status_code: 503,
                    error: "push service unavailable".into(),
                    title: "Test".into(),
                    ..Delivery::default()
                },
            ],
        }))
    }
}

#[tonic::async_trait]
impl NotifierService for FakeNotifierService {
    async fn notify(
        &self,
        request: Request<NotifyRequest>,
    ) -> Result<Response<NotifyResponse>, Status> {
        self.0.record("NotifierService/Notify", request).await?;
        Ok(Response::new(NotifyResponse { queued: 1 }))
    }
}

/// scheduler-service: `SchedulerService`.
#[derive(Clone)]
pub struct FakeSchedulerService(pub Arc<Recorder>);

#[tonic::async_trait]
impl SchedulerService for FakeSchedulerService {
    async fn upsert_schedule(
        &self,
        request: Request<UpsertScheduleRequest>,
    ) -> Result<Response<UpsertScheduleResponse>, Status> {
        self.0
            .record("SchedulerService/UpsertSchedule", request)
            .await?;
        Ok(Response::new(UpsertScheduleResponse::default()))
    }
    async fn delete_schedule(
        &self,
        request: Request<DeleteScheduleRequest>,
    ) -> Result<Response<DeleteScheduleResponse>, Status> {
        self.0
            .record("SchedulerService/DeleteSchedule", request)
            .await?;
        Ok(Response::new(DeleteScheduleResponse {}))
    }
    async fn fire(&self, request: Request<FireRequest>) -> Result<Response<FireResponse>, Status> {
        self.0.record("SchedulerService/Fire", request).await?;
        let answer = *self.0.scheduler_answer.lock().unwrap();
        Ok(Response::new(answer.unwrap_or(FireResponse {
            alerts: 3,
            first_delivery: true,
        })))
    }
}

pub fn alert_servers(
    fake: FakeAlertService,
) -> (
    AuthServiceServer<FakeAlertService>,
    AlertServiceServer<FakeAlertService>,
    AlertRunnerServiceServer<FakeAlertService>,
    AirQualityServiceServer<FakeAlertService>,
) {
    (
        AuthServiceServer::new(fake.clone()),
        AlertServiceServer::new(fake.clone()),
        AlertRunnerServiceServer::new(fake.clone()),
        AirQualityServiceServer::new(fake),
    )
}

pub fn notifier_servers(
    fake: FakeNotifierService,
) -> (
    PushServiceServer<FakeNotifierService>,
    NotifierServiceServer<FakeNotifierService>,
) {
    (
        PushServiceServer::new(fake.clone()),
        NotifierServiceServer::new(fake),
    )
}

pub fn scheduler_server(
    fake: FakeSchedulerService,
) -> SchedulerServiceServer<FakeSchedulerService> {
    SchedulerServiceServer::new(fake)
}
