//! Paths of the backend's JSON API, relative to the backend's base URL, so widget and server agree.

/// `GET`: liveness.
pub const HEALTHZ: &str = "/healthz";
/// `POST` [`crate::cv2::CreateSessionRequest`] → [`crate::cv2::ButtonConfig`].
pub const CV2_SESSIONS: &str = "/api/cv2/sessions";
