//! Generated code for the `alert.v1` protobuf package: messages, clients and servers.

/// The `alert.v1` package.
pub mod v1 {
    tonic::include_proto!("alert.v1");
}

/// Encoded `FileDescriptorSet` of every proto, for gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("alert_descriptor");
