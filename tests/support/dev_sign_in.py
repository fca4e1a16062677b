"""Signing in a fictional person at the local development issuer the way the /mijn/ page
does (authorization code with PKCE, S256), for the scripts that drive a live server."""

import base64
import hashlib
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request


class _Keep(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def person_token(base, person):
    """An access token for `person` (a key the development issuer offers: sanne, kees, anna)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect = base + "/mijn/"
    form = urllib.parse.urlencode({
        "person": person, "response_type": "code", "client_id": "herstelbrug-mijn",
        "redirect_uri": redirect, "state": "s1", "code_challenge": challenge,
        "code_challenge_method": "S256"}).encode()
    try:
        urllib.request.build_opener(_Keep).open(
            urllib.request.Request(base + "/dev-issuer/authorize", data=form, method="POST"))
        raise SystemExit("the development issuer did not redirect")
    except urllib.error.HTTPError as answer:
        location = answer.headers["Location"]
    code = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)["code"][0]
    token_form = urllib.parse.urlencode({
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
        "client_id": "herstelbrug-mijn", "code_verifier": verifier}).encode()
    with urllib.request.urlopen(urllib.request.Request(base + "/dev-issuer/token", data=token_form)) as r:
        return json.load(r)["access_token"]
