//! What answers when no route does: 404 for unknown paths, 405 with `Allow` for known
//! paths with another method (decided from the OpenAPI paths, the registered routes), and
//! a safety net that turns any remaining non-problem error body into problem+json.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, web};
use herstelbrug_openapi::{PROBLEM_CONTENT_TYPE, Problem};

use crate::error::{ApiError, ProblemKind, problem_response};

/// The registered path templates and their methods.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
    /// The (method, template) pairs whose operation declares a request body.
    bodies: Vec<(String, Vec<String>)>,
}

impl RouteTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut bodies = Vec::new();
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                let ops = [
                    ("GET", &item.get),
                    ("PUT", &item.put),
                    ("POST", &item.post),
                    ("DELETE", &item.delete),
                    ("PATCH", &item.patch),
                ];
                for (name, op) in ops {
                    if let Some(op) = op {
                        methods.push(name.to_owned());
                        if op.request_body.is_some() {
                            bodies.push((name.to_owned(), segments(path)));
                        }
                    }
                }
                (segments(path), methods)
            })
            .collect();
        Self { routes, bodies }
    }

    /// Whether `method` on `path` takes a request body (`false` for unknown routes too).
    pub fn takes_body(&self, method: &str, path: &str) -> bool {
        let wanted = segments(path);
        self.bodies.iter().any(|(m, template)| {
            m == method
                && template.len() == wanted.len()
                && template
                    .iter()
                    .zip(&wanted)
                    .all(|(t, w)| (t.starts_with('{') && t.ends_with('}')) || t == w)
        })
    }

    /// The methods registered for the path, if any route template matches it. Only the
    /// most literal templates count: `/v1/trajectories/search` is not a trajectory id.
    pub fn methods_for(&self, path: &str) -> Option<Vec<String>> {
        let wanted = segments(path);
        let is_param = |t: &String| t.starts_with('{') && t.ends_with('}');
        let mut best: Option<(usize, Vec<String>)> = None;
        for (template, methods) in &self.routes {
            let matches = template.len() == wanted.len()
                && template
                    .iter()
                    .zip(&wanted)
                    .all(|(t, w)| is_param(t) || t == w);
            if !matches {
                continue;
            }
            let params = template.iter().filter(|t| is_param(t)).count();
            match &mut best {
                Some((fewest, found)) if *fewest == params => found.extend(methods.iter().cloned()),
                Some((fewest, _)) if *fewest < params => {}
                _ => best = Some((params, methods.clone())),
            }
        }
        best.map(|(_, methods)| methods)
    }
}

fn segments(path: &str) -> Vec<String> {
    path.trim_end_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect()
}

/// The default service: 405 where the path exists with other methods, else 404.
pub async fn unmatched(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match table.methods_for(req.path()) {
        Some(mut allow) if !allow.iter().any(|m| m == req.method().as_str()) => {
            allow.sort_unstable();
            allow.dedup();
            ApiError::MethodNotAllowed { allow }
        }
        _ => ApiError::NotFound,
    })
}

/// Replaces an error response that is not problem+json (from actix itself or a library
/// middleware) with a problem for the same status, keeping its headers.
pub fn ensure_problem<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        // FHIR's errors are OperationOutcome resources (`/fhir`).
        v.as_bytes().starts_with(PROBLEM_CONTENT_TYPE.as_bytes())
            || v.as_bytes().starts_with(b"application/fhir+json")
    });
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let problem = match kind_for(status.as_u16()) {
        Some(kind) => kind.problem(None),
        None => Problem {
            kind: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: None,
            instance: None,
            allowed: None,
            request_id: None,
        },
    };
    let (req, old) = res.into_parts();
    let mut new: actix_web::HttpResponse<BoxBody> = problem_response(&problem);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new).map_into_right_body(),
    ))
}

fn kind_for(status: u16) -> Option<ProblemKind> {
    Some(match status {
        400 => ProblemKind::InvalidRequest,
        401 => ProblemKind::Unauthorized,
        403 => ProblemKind::Forbidden,
        404 => ProblemKind::NotFound,
        405 => ProblemKind::MethodNotAllowed,
        413 => ProblemKind::PayloadTooLarge,
        415 => ProblemKind::UnsupportedMediaType,
        503 => ProblemKind::Unavailable,
        500..=599 => ProblemKind::Internal,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_templates_and_collects_methods() {
        let table = RouteTable {
            routes: vec![
                (segments("/v1/trajectories"), vec!["GET".into()]),
                (segments("/v1/trajectories"), vec!["POST".into()]),
                (segments("/v1/trajectories/{id}"), vec!["GET".into()]),
                (segments("/v1/trajectories/search"), vec!["POST".into()]),
            ],
            bodies: vec![("POST".into(), segments("/v1/trajectories/search"))],
        };
        assert!(table.takes_body("POST", "/v1/trajectories/search"));
        assert!(!table.takes_body("GET", "/v1/trajectories/search"));
        assert!(!table.takes_body("POST", "/v1/unknown"));
        assert_eq!(
            table.methods_for("/v1/trajectories/search"),
            Some(vec!["POST".into()]),
            "the literal route wins over the id template"
        );
        assert_eq!(
            table.methods_for("/v1/trajectories"),
            Some(vec!["GET".into(), "POST".into()])
        );
        assert_eq!(
            table.methods_for("/v1/trajectories/abc"),
            Some(vec!["GET".into()])
        );
        assert_eq!(table.methods_for("/v1/nothing"), None);
        assert_eq!(table.methods_for("/v1/trajectories/abc/more"), None);
    }
}
