//! `alert.v1.PushService`: the caller's subscriptions and delivery history. The caller is the
//! `x-user-id` the gateway set; only `GetVapidPublicKey` needs none.

use std::sync::Arc;

use alert_platform::{identity::caller_user_id, timestamp::to_rfc3339};
use alert_proto::v1::{
    self as proto, GetVapidPublicKeyRequest, GetVapidPublicKeyResponse, ListDeliveriesRequest,
    ListDeliveriesResponse, ListSubscriptionsRequest, ListSubscriptionsResponse,
    SendTestNotificationRequest, SendTestNotificationResponse, SubscribeRequest, SubscribeResponse,
    UnsubscribeRequest, UnsubscribeResponse, push_service_server::PushService,
};
use tonic::{Request, Response, Status};

use crate::{
    domain::{Delivery, Subscription, UserId},
    service::Notifier,
};

pub struct PushApi {
    notifier: Arc<Notifier>,
}

impl PushApi {
    pub fn new(notifier: Arc<Notifier>) -> Self {
        PushApi { notifier }
    }
}

fn caller<T>(request: &Request<T>) -> Result<UserId, Status> {
    let id = caller_user_id(request)?;
    Ok(UserId::parse(&id, "x-user-id")?)
}

#[tonic::async_trait]
impl PushService for PushApi {
    async fn get_vapid_public_key(
        &self,
        _request: Request<GetVapidPublicKeyRequest>,
    ) -> Result<Response<GetVapidPublicKeyResponse>, Status> {
        Ok(Response::new(GetVapidPublicKeyResponse {
            public_key: self.notifier.vapid_public_key().to_owned(),
        }))
    }

    async fn subscribe(
        &self,
        request: Request<SubscribeRequest>,
    ) -> Result<Response<SubscribeResponse>, Status> {
        let user_id = caller(&request)?;
        let SubscribeRequest {
            endpoint,
            p256dh,
            auth,
        } = request.into_inner();
        let id = self
            .notifier
            .subscribe(&user_id, &endpoint, &p256dh, &auth)
            .await?;
        Ok(Response::new(SubscribeResponse { id: id.to_string() }))
    }

    async fn unsubscribe(
        &self,
        request: Request<UnsubscribeRequest>,
    ) -> Result<Response<UnsubscribeResponse>, Status> {
        let user_id = caller(&request)?;
        self.notifier
            .unsubscribe(&user_id, &request.into_inner().endpoint)
            .await?;
        Ok(Response::new(UnsubscribeResponse {}))
    }

    async fn list_subscriptions(
        &self,
        request: Request<ListSubscriptionsRequest>,
    ) -> Result<Response<ListSubscriptionsResponse>, Status> {
        let user_id = caller(&request)?;
        let subscriptions = self.notifier.list_subscriptions(&user_id).await?;
        Ok(Response::new(ListSubscriptionsResponse {
            subscriptions: subscriptions.iter().map(subscription_to_proto).collect(),
        }))
    }

    async fn send_test_notification(
        &self,
        request: Request<SendTestNotificationRequest>,
    ) -> Result<Response<SendTestNotificationResponse>, Status> {
        let user_id = caller(&request)?;
        let queued = self.notifier.send_test_notification(&user_id).await?;
        Ok(Response::new(SendTestNotificationResponse { queued }))
    }

    async fn list_deliveries(
        &self,
        request: Request<ListDeliveriesRequest>,
    ) -> Result<Response<ListDeliveriesResponse>, Status> {
        let user_id = caller(&request)?;
        let ListDeliveriesRequest { alert_id, limit } = request.into_inner();
        let deliveries = self
            .notifier
            .list_deliveries(&user_id, &alert_id, limit)
            .await?;
        Ok(Response::new(ListDeliveriesResponse {
            deliveries: deliveries.iter().map(delivery_to_proto).collect(),
        }))
    }
}

fn subscription_to_proto(subscription: &Subscription) -> proto::PushSubscription {
    proto::PushSubscription {
        id: subscription.id.to_string(),
        endpoint: subscription.endpoint.clone(),
        created_at: to_rfc3339(subscription.created_at),
    }
}

fn delivery_to_proto(delivery: &Delivery) -> proto::Delivery {
    proto::Delivery {
        id: delivery.id.to_string(),
        alert_id: delivery.alert_id.clone().unwrap_or_default(),
        subscription_id: delivery.subscription_id.to_string(),
        status: delivery.status.to_proto() as i32,
        attempts: delivery.attempts,
        push_status_code: delivery.push_status_code.map(u32::from).unwrap_or(0),
        error: delivery.error.clone().unwrap_or_default(),
        title: delivery.title.clone(),
        created_at: to_rfc3339(delivery.created_at),
        updated_at: to_rfc3339(delivery.updated_at),
        delivered_at: delivery.delivered_at.map(to_rfc3339).unwrap_or_default(),
    }
}
