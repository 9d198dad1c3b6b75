//! TEMPORARY stand-in for `cinnabar::asyncio` and `cinnabar::web` until h-async lands.
#![allow(missing_docs, unreachable_pub, dead_code)]

pub mod asyncio {
    use std::sync::Arc;

    use cinnabar::prelude::*;
    use tokio::sync::Semaphore;

    #[derive(Clone)]
    pub struct AsyncEngine {
        engine: Engine,
        lanes: Arc<Semaphore>,
    }

    impl AsyncEngine {
        pub fn new(engine: Engine) -> AsyncEngine {
            AsyncEngine {
                engine,
                lanes: Arc::new(Semaphore::new(5)),
            }
        }
        pub async fn connect(url: &str) -> cinnabar::Result<AsyncEngine> {
            Ok(AsyncEngine::new(create_engine(url)?))
        }
        pub fn engine(&self) -> &Engine {
            &self.engine
        }
        pub async fn run<T, F>(&self, f: F) -> cinnabar::Result<T>
        where
            F: FnOnce(&mut Session) -> cinnabar::Result<T> + Send + 'static,
            T: Send + 'static,
        {
            let _permit = self.lanes.clone().acquire_owned().await;
            let engine = self.engine.clone();
            tokio::task::spawn_blocking(move || {
                let mut s = Session::new(&engine);
                match f(&mut s) {
                    Ok(v) => {
                        s.commit()?;
                        Ok(v)
                    }
                    Err(e) => {
                        let _ = s.rollback();
                        Err(e)
                    }
                }
            })
            .await
            .map_err(|e| cinnabar::Error::new(cinnabar::ErrorKind::Misuse, e.to_string()))?
        }
        pub async fn read<T, F>(&self, f: F) -> cinnabar::Result<T>
        where
            F: FnOnce(&mut Session) -> cinnabar::Result<T> + Send + 'static,
            T: Send + 'static,
        {
            self.run(f).await
        }
    }
}

pub mod web {
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};
    use cinnabar::ErrorKind;

    pub struct HttpError(pub cinnabar::Error);
    pub type HttpResult<T> = Result<T, HttpError>;
    impl From<cinnabar::Error> for HttpError {
        fn from(e: cinnabar::Error) -> Self {
            HttpError(e)
        }
    }
    impl IntoResponse for HttpError {
        fn into_response(self) -> Response {
            let status = match self.0.kind() {
                ErrorKind::NoRow => StatusCode::NOT_FOUND,
                ErrorKind::UniqueViolation | ErrorKind::ForeignKeyViolation => StatusCode::CONFLICT,
                ErrorKind::Busy | ErrorKind::PoolTimeout => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            let body = axum::Json(
                serde_json::json!({"error": format!("{:?}", self.0.kind()), "message": self.0.to_string()}),
            );
            (status, body).into_response()
        }
    }

    pub trait GetOr404 {
        fn get_or_404<T: cinnabar::Model>(
            &mut self,
            key: impl Into<T::Key>,
        ) -> cinnabar::Result<cinnabar::Handle<T>>;
    }
    impl GetOr404 for cinnabar::Session {
        fn get_or_404<T: cinnabar::Model>(
            &mut self,
            key: impl Into<T::Key>,
        ) -> cinnabar::Result<cinnabar::Handle<T>> {
            self.get::<T>(key)?
                .ok_or_else(|| cinnabar::Error::new(ErrorKind::NoRow, "not found"))
        }
    }
}
