//! Profile photos through the router on both engines: none yet (404 `ImageNotFound`), a member sets
//! their own through `/me`, everyone reads it (metadata and bytes), only its owner or an
//! administrator changes it, non-images are refused, and removal is audited.

mod support;

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use gatehouse_domain::audit::AuditCategory;
use support::each_engine;
use support::graph::fixture;

/// A valid 1×1 PNG.
const PNG_1X1: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

#[tokio::test]
async fn members_set_their_own_photo_and_everyone_reads_it() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(PNG_1X1)
            .unwrap();
        let ann = f.user_token("ann", "User.ReadWrite User.Read.All").await;
        let ann_upn = format!("ann@{}", f.domain);

        let r = f.call(&ann, Method::GET, "/me/photo", None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        assert_eq!(r.body["error"]["code"], "ImageNotFound");

        let r = f
            .app
            .call_bytes(
                Method::PUT,
                "/v1.0/me/photo/$value",
                &ann,
                "image/png",
                png.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        let bob = f.user_token("bob", "User.Read.All").await;
        let r = f
            .call(&bob, Method::GET, &format!("/users/{ann_upn}/photo"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["@odata.mediaContentType"], "image/png");
        assert_eq!(
            (r.body["width"].as_u64(), r.body["height"].as_u64()),
            (Some(1), Some(1))
        );
        assert_eq!(r.body["id"], "1X1");
        let (status, content_type, bytes) = f
            .app
            .get_bytes(&format!("/v1.0/users/{ann_upn}/photo/$value"), &bob)
            .await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::OK, "image/png")
        );
        assert_eq!(bytes, png);

        // Bob may not change Ann's photo; a GIF is not accepted.
        let bob_rw = f.user_token("bob", "User.ReadWrite.All").await;
        let r = f
            .app
            .call_bytes(
                Method::PUT,
                &format!("/v1.0/users/{ann_upn}/photo/$value"),
                &bob_rw,
                "image/png",
                png.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = f
            .app
            .call_bytes(
                Method::PUT,
                "/v1.0/me/photo/$value",
                &ann,
                "image/gif",
                b"GIF89a\x01\x00\x01\x00".to_vec(),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

        // An administrator removes it.
        let admin = f.user_token("admin", "User.ReadWrite.All").await;
        let r = f
            .call(
                &admin,
                Method::DELETE,
                &format!("/users/{ann_upn}/photo"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f
            .call(
                &bob,
                Method::GET,
                &format!("/users/{ann_upn}/photo/$value"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let photo_audits = tx
            .audit_records(100)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| {
                a.category == AuditCategory::UserManagement
                    && a.activity_display_name == "Update user photo"
            })
            .count();
        assert_eq!(photo_audits, 2);
    })
    .await;
}
