//! Herstelbrug's document-level OpenAPI definition: info, tags, the bearer security
//! scheme and the shared RFC 9457 problem schema. The `api` crate adds the paths it
//! registers, so documented paths are exactly the served ones.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

mod problem;

pub use problem::{PROBLEM_CONTENT_TYPE, Problem};

/// The name of the bearer-token security scheme that secured operations reference.
pub const BEARER: &str = "bearer";

/// The name of the person-token scheme that `/v1/me` operations reference.
pub const PERSON: &str = "person";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Herstelbrug API",
        version = "1.0.0",
        description = "The shared record of each addiction-care client's path from treatment to \
                       social-domain support, and the alarm when that path breaks.\n\n\
                       Every `/v1` operation needs an RFC 9068 JWT bearer token with `iss`, `aud`, \
                       `sub`, `exp`, `scope` and an `org` claim (`agb:NNNNNNNN`, `gemeente:NNNN` or \
                       `informeel:NNNNNN`). \
                       Errors are RFC 9457 `application/problem+json`. Writes that change a \
                       trajectory need `If-Match` with its `ETag`, and accept an `Idempotency-Key`.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
    ),
    tags(
        (name = "trajectories", description = "Care trajectories: treatment → transition → social support → closed."),
        (name = "consents", description = "The client's explicit consent to share with an organisation, and its withdrawal."),
        (name = "referrals", description = "Follow-up referrals as a closed loop: the provider refers, the recipient polls its inbox, answers and reports."),
        (name = "alerts", description = "Alerts when a client's path breaks: treatment ending without follow-up, referrals left unanswered, statutory terms passing."),
        (name = "webhooks", description = "Signed deliveries of alert and referral events to subscribed endpoints (Standard Webhooks), through a transactional outbox."),
        (name = "team", description = "Who is involved: the professionals and naasten around the client, and the warm handoff (warme overdracht) before treatment ends."),
        (name = "catalog", description = "The building blocks (bouwstenen): services, their capacity, and waiting times measured from real handoffs. Shaped after Open Referral HSDS 3; holds no client data."),
        (name = "organisations", description = "Organisations as recipients: the registry of informal organisations, and the waiting times measured over all the referrals an organisation received."),
        (name = "me", description = "The person's own door: the client, someone representing them, or a naaste, signed in at the configured OpenID Connect issuer (a DigiD broker), sees and steers their own path: trajectories, who is involved, waiting times, consents, who accessed their data (Wabvpz 15e) and a copy of it (15d)."),
        (name = "health", description = "Liveness and readiness probes."),
    ),
    servers((url = "/", description = "The server this document was read from")),
    components(schemas(Problem)),
    modifiers(&BearerScheme),
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "RFC 9068 access token; `herstelbrug token` prints a development token.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            PERSON,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A person's access token from the configured OpenID Connect issuer (authorization code with PKCE): `sub`, `acr` (at least the configured level), `bsn`, and `represents` (`bsn`, `kind`) when acting for someone; its own audience, so it opens `/v1/me` only.",
                    ))
                    .build(),
            ),
        );
    }
}
