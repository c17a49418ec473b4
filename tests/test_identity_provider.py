"""The loopback identity provider, driven as a relying party drives it: Authlib's OAuth 2 client
and plain HTTP against a provider on 127.0.0.1. The browser sign-in tests rely on it behaving
like a real OpenID Connect provider, so this checks the protocol, not just the happy path."""

from __future__ import annotations

import threading
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from tests import identity_provider

PEOPLE = {"ann@example.org": "Ann Example", "bob@example.org": "Bob Example"}
# Nothing listens here: the tests read the redirect's Location instead of following it.
REDIRECT_URI = "http://127.0.0.1:8501/oauth2callback"
TIMEOUT = 5


class FormReader(HTMLParser):
    """The sign-in page's form fields (name -> value) and label texts, as a browser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.field_types: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.buttons: list[str] = []
        self._label_for: str | None = None
        self._in_button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "input":
            self.fields[attributes["name"]] = attributes.get("value", "")
            self.field_types[attributes["name"]] = attributes.get("type", "text")
        elif tag == "label":
            self._label_for = attributes.get("for")
        elif tag == "button":
            self._in_button = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_for = None
        elif tag == "button":
            self._in_button = False

    def handle_data(self, data: str) -> None:
        if self._label_for and data.strip():
            self.labels[self._label_for] = data.strip()
        if self._in_button and data.strip():
            self.buttons.append(data.strip())


def read_form(page: str) -> FormReader:
    reader = FormReader()
    reader.feed(page)
    return reader


@pytest.fixture
def provider():
    with identity_provider.running(people=PEOPLE) as running_provider:
        yield running_provider


def relying_party(provider, **options) -> OAuth2Session:
    """An OAuth 2 client set up as Streamlit sets up Authlib's: S256 PKCE, OIDC scopes."""
    return OAuth2Session(
        provider.client_id,
        provider.client_secret,
        scope="openid email profile",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        **options,
    )


def sign_in(
    provider, client: OAuth2Session, email: str, code_verifier: str, nonce: str = "n-0S6_WzA2Mj"
) -> tuple[requests.Response, str]:
    """Open the authorization page and submit its form as a browser would, not following the
    redirect; returns the response and the request's state."""
    discovery = requests.get(provider.metadata_url, timeout=TIMEOUT).json()
    url, state = client.create_authorization_url(
        discovery["authorization_endpoint"],
        code_verifier=code_verifier,
        nonce=nonce,
        prompt="select_account",
    )
    page = requests.get(url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    form = read_form(page.text)
    form.fields["email"] = email
    response = requests.post(
        discovery["authorization_endpoint"],
        data={**form.fields, "action": "sign-in"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    return response, state


def code_from(signed_in: tuple[requests.Response, str]) -> str:
    """The code from the redirect back to the relying party, checking it carries the state."""
    response, state = signed_in
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [state]
    return query["code"][0]


def exchange(provider, code: str, code_verifier: str | None, **overrides) -> requests.Response:
    """A token request by plain HTTP, so error answers can be read as they are."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    if code_verifier is not None:
        form["code_verifier"] = code_verifier
    auth = overrides.pop("auth", (provider.client_id, provider.client_secret))
    form.update(overrides)
    return requests.post(f"{provider.issuer}/token", data=form, auth=auth, timeout=TIMEOUT)


VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-but-longer-for-the-test"


def test_discovery_document_advertises_endpoints_on_its_issuer(provider):
    discovery = requests.get(provider.metadata_url, timeout=TIMEOUT).json()
    assert provider.issuer.startswith("http://127.0.0.1:")
    assert discovery["issuer"] == provider.issuer
    for endpoint, path in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("jwks_uri", "/jwks"),
        ("userinfo_endpoint", "/userinfo"),
        ("end_session_endpoint", "/logout"),
    ]:
        assert discovery[endpoint] == provider.issuer + path
    assert discovery["response_types_supported"] == ["code"]
    assert discovery["subject_types_supported"] == ["public"]
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"openid", "email", "profile"} <= set(discovery["scopes_supported"])
    assert discovery["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
    ]
    # Streamlit turns PKCE on exactly when S256 is listed here.
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert {"email", "name", "nonce"} <= set(discovery["claims_supported"])


def test_jwks_publishes_the_public_signing_key_only(provider):
    keys = requests.get(f"{provider.issuer}/jwks", timeout=TIMEOUT).json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(keys[0])


def test_authorize_page_shows_a_labelled_email_field_and_sign_in_button(provider):
    client = relying_party(provider)
    url, state = client.create_authorization_url(f"{provider.issuer}/authorize", nonce="abc")
    page = requests.get(url, timeout=TIMEOUT)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    form = read_form(page.text)
    assert form.labels["email"] == "Email"
    assert form.field_types["email"] == "text"
    assert "Sign in" in form.buttons
    # The original request comes back with the form, so the POST can be checked afresh.
    assert form.fields["state"] == state
    assert form.fields["nonce"] == "abc"
    assert form.fields["redirect_uri"] == REDIRECT_URI


def test_code_flow_issues_an_id_token_that_verifies_against_the_jwks(provider):
    client = relying_party(provider)
    signed_in = sign_in(provider, client, "Ann@Example.org", VERIFIER, nonce="nonce-123")
    code_from(signed_in)  # checks the redirect and its state

    # client_secret_basic, Authlib's (and so Streamlit's) default.
    response, state = signed_in
    token = client.fetch_token(
        f"{provider.issuer}/token",
        authorization_response=response.headers["Location"],
        state=state,
        code_verifier=VERIFIER,
    )
    assert token["token_type"] == "Bearer" and token["expires_in"] > 0
    assert set(token["scope"].split()) == {"openid", "email", "profile"}

    # Verified as Authlib's OpenID client verifies it before Streamlit trusts it.
    jwks = requests.get(f"{provider.issuer}/jwks", timeout=TIMEOUT).json()
    decoded = jwt.decode(
        token["id_token"],
        KeySet.import_key_set(jwks),
        registry=JWSRegistry(algorithms=["RS256"]),
    )
    assert decoded.header["kid"] == jwks["keys"][0]["kid"]
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {"iss": {"values": [provider.issuer]}},
        {
            "nonce": "nonce-123",
            "client_id": provider.client_id,
            "access_token": token["access_token"],
        },
    )
    claims.validate(leeway=0)  # iss, aud, exp, iat, nonce, at_hash
    assert claims["aud"] == "dashboard"
    assert claims["email"] == "ann@example.org" and claims["email_verified"] is True
    assert claims["name"] == "Ann Example"
    assert claims["preferred_username"] == "ann@example.org"
    assert claims["exp"] - claims["iat"] == 600
    assert provider.signed_in == ["ann@example.org"]

    userinfo = client.get(f"{provider.issuer}/userinfo", timeout=TIMEOUT).json()
    assert userinfo == {
        "sub": claims["sub"],
        "email": "ann@example.org",
        "email_verified": True,
        "name": "Ann Example",
        "preferred_username": "ann@example.org",
    }


def test_subject_is_stable_per_email_and_differs_between_people(provider):
    def subject_of(email: str) -> str:
        client = relying_party(provider)
        code = code_from(sign_in(provider, client, email, VERIFIER))
        id_token = exchange(provider, code, VERIFIER).json()["id_token"]
        jwks = requests.get(f"{provider.issuer}/jwks", timeout=TIMEOUT).json()
        return jwt.decode(id_token, KeySet.import_key_set(jwks)).claims["sub"]

    assert subject_of("ann@example.org") == subject_of("ann@example.org")
    assert subject_of("ann@example.org") != subject_of("bob@example.org")


def test_reused_code_is_refused_with_invalid_grant(provider):
    client = relying_party(provider)
    code = code_from(sign_in(provider, client, "ann@example.org", VERIFIER))
    assert exchange(provider, code, VERIFIER).status_code == 200
    again = exchange(provider, code, VERIFIER)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert provider.signed_in == ["ann@example.org"]


def test_wrong_client_secret_is_refused_with_invalid_client(provider):
    client = relying_party(provider)
    code = code_from(sign_in(provider, client, "ann@example.org", VERIFIER))
    refused = exchange(provider, code, VERIFIER, auth=(provider.client_id, "not-the-secret"))
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert refused.headers["WWW-Authenticate"].startswith("Basic")
    assert provider.signed_in == []


def test_missing_client_authentication_is_refused_with_invalid_client(provider):
    client = relying_party(provider)
    code = code_from(sign_in(provider, client, "ann@example.org", VERIFIER))
    refused = exchange(provider, code, VERIFIER, auth=None, client_id=provider.client_id)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"


def test_client_secret_post_is_accepted(provider):
    client = relying_party(provider, token_endpoint_auth_method="client_secret_post")
    response, state = sign_in(provider, client, "bob@example.org", VERIFIER)
    token = client.fetch_token(
        f"{provider.issuer}/token",
        authorization_response=response.headers["Location"],
        state=state,
        code_verifier=VERIFIER,
    )
    assert token["id_token"]
    assert provider.signed_in == ["bob@example.org"]


def test_pkce_with_a_wrong_verifier_is_refused_with_invalid_grant(provider):
    client = relying_party(provider)
    code = code_from(sign_in(provider, client, "ann@example.org", VERIFIER))
    refused = exchange(provider, code, VERIFIER[::-1])
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    assert provider.signed_in == []


def test_pkce_without_the_verifier_is_refused_with_invalid_grant(provider):
    client = relying_party(provider)
    code = code_from(sign_in(provider, client, "ann@example.org", VERIFIER))
    refused = exchange(provider, code, None)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_redirect_uri_differing_at_the_token_endpoint_is_refused_with_invalid_grant(provider):
    client = relying_party(provider)
    code = code_from(sign_in(provider, client, "ann@example.org", VERIFIER))
    refused = exchange(provider, code, VERIFIER, redirect_uri="http://127.0.0.1:9/elsewhere")
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_unknown_email_is_refused_at_the_form_with_unknown_account(provider):
    client = relying_party(provider)
    response, state = sign_in(provider, client, "mallory@example.org", VERIFIER)
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert "Unknown account" in response.text
    # The form comes back, still carrying the request, so the person can try again.
    form = read_form(response.text)
    assert form.fields["email"] == "mallory@example.org"
    assert form.fields["state"] == state


def test_any_email_signs_in_when_no_people_are_listed():
    with identity_provider.running() as provider:
        client = relying_party(provider)
        code = code_from(sign_in(provider, client, "anyone@example.com", VERIFIER))
        assert exchange(provider, code, VERIFIER).status_code == 200
        assert provider.signed_in == ["anyone@example.com"]


def test_cancel_redirects_back_with_access_denied(provider):
    client = relying_party(provider)
    url, state = client.create_authorization_url(
        f"{provider.issuer}/authorize", code_verifier=VERIFIER, nonce="abc"
    )
    form = read_form(requests.get(url, timeout=TIMEOUT).text)
    response = requests.post(
        f"{provider.issuer}/authorize",
        data={**form.fields, "action": "cancel"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query == {"error": ["access_denied"], "state": [state]}


@pytest.mark.parametrize(
    "redirect_uri", ["https://evil.example/callback", "http://127.0.0.1.evil.example/cb"]
)
def test_redirect_uri_off_loopback_is_refused_without_redirecting(provider, redirect_uri):
    client = relying_party(provider)
    client.redirect_uri = redirect_uri
    url, _ = client.create_authorization_url(f"{provider.issuer}/authorize", nonce="abc")
    refused = requests.get(url, allow_redirects=False, timeout=TIMEOUT)
    assert refused.status_code == 400
    assert "Location" not in refused.headers


def test_unknown_client_id_is_refused_without_redirecting(provider):
    client = OAuth2Session("someone-else", scope="openid", redirect_uri=REDIRECT_URI)
    url, _ = client.create_authorization_url(f"{provider.issuer}/authorize")
    refused = requests.get(url, allow_redirects=False, timeout=TIMEOUT)
    assert refused.status_code == 400
    assert "Location" not in refused.headers


def test_userinfo_refuses_an_unknown_access_token(provider):
    refused = requests.get(
        f"{provider.issuer}/userinfo",
        headers={"Authorization": "Bearer not-a-token"},
        timeout=TIMEOUT,
    )
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_token"


def test_logout_redirects_to_post_logout_redirect_uri_and_records_who(provider):
    client = relying_party(provider)
    code = code_from(sign_in(provider, client, "ann@example.org", VERIFIER))
    id_token = exchange(provider, code, VERIFIER).json()["id_token"]
    response = requests.get(
        f"{provider.issuer}/logout",
        params={
            "client_id": provider.client_id,
            "post_logout_redirect_uri": REDIRECT_URI,
            "id_token_hint": id_token,
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == REDIRECT_URI
    assert provider.signed_out == ["ann@example.org"]


def test_logout_without_a_destination_shows_signed_out(provider):
    response = requests.get(f"{provider.issuer}/logout", timeout=TIMEOUT)
    assert response.status_code == 200
    assert "Signed out" in response.text


def test_leaving_the_block_stops_the_server_and_its_thread():
    with identity_provider.running() as provider:
        port = urlsplit(provider.issuer).port
        assert requests.get(provider.metadata_url, timeout=TIMEOUT).ok
    assert not [t for t in threading.enumerate() if t.name == f"identity-provider-{port}"]
    with pytest.raises(requests.ConnectionError):
        requests.get(provider.metadata_url, timeout=TIMEOUT)
