"""A small OpenID Connect identity provider on loopback, for tests only.

The dashboard signs people in with Streamlit's `st.login`, which speaks OpenID Connect to an
identity provider through Authlib. To test sign-in end to end in a real browser without any
network, tests start this provider on 127.0.0.1, point `[auth]` in Streamlit's secrets at
`provider.metadata_url`, and type an email address into its sign-in page.

It implements the authorization code flow as Authlib's client uses it: discovery, JWKS,
`client_secret_basic` or `client_secret_post`, PKCE (S256), RS256 ID tokens carrying the
nonce, userinfo and RP-initiated logout. There is no password: whoever types an email (listed
in `people`, when given) becomes that person. It is for tests only, never a real identity
provider: it trusts anyone at the keyboard and accepts only loopback redirect URIs.

    with identity_provider.running(people={"ann@example.org": "Ann"}) as provider:
        ...  # client_id = provider.client_id, server_metadata_url = provider.metadata_url
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit, urlunsplit

# Authlib 1.9 deprecates authlib.jose in favour of joserfc (removal in 2.0); it still works, and
# silencing its import-time notice keeps test output clean. authlib.deprecate goes first because
# importing it installs an "always" filter, which would otherwise land on top of ours.
import authlib.deprecate  # noqa: F401

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="authlib.jose module is deprecated")
    from authlib.jose import JoseError, JsonWebKey, jwt

CODE_LIFETIME_SECONDS = 60
TOKEN_LIFETIME_SECONDS = 600
SCOPES_SUPPORTED = ("openid", "email", "profile")
CLAIMS_SUPPORTED = (
    "iss", "sub", "aud", "iat", "exp", "auth_time", "nonce", "at_hash",
    "email", "email_verified", "name", "preferred_username",
)  # fmt: skip
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})
# Far more than any form or token request needs; a bound so a bad client cannot exhaust memory.
MAX_BODY_BYTES = 64 * 1024
# Handler threads give up on a silent client, so shutting down never waits on an idle socket.
SOCKET_TIMEOUT_SECONDS = 10
SHUTDOWN_TIMEOUT_SECONDS = 5


class TokenError(Exception):
    """An error response from the token endpoint (RFC 6749 section 5.2)."""

    def __init__(self, error: str, description: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class AuthorizationGrant:
    """What a one-time authorization code stands for, checked again at the token endpoint."""

    email: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    expires_at: float


@dataclass(frozen=True)
class AccessGrant:
    email: str
    expires_at: float


@dataclass
class IdentityProvider:
    """The running provider's address, client credentials and what happened, for assertions."""

    issuer: str
    client_id: str
    client_secret: str
    # email -> display name; None lets any email address sign in.
    people: Mapping[str, str] | None
    signed_in: list[str] = field(default_factory=list)
    # Emails named by a valid id_token_hint at the end-session endpoint.
    signed_out: list[str] = field(default_factory=list)
    _signing_key: Any = field(default=None, repr=False)
    _codes: dict[str, AuthorizationGrant] = field(default_factory=dict, repr=False)
    _access_tokens: dict[str, AccessGrant] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self._signing_key is None:
            self._signing_key = JsonWebKey.generate_key("RSA", 2048, is_private=True)

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def key_id(self) -> str:
        # The RFC 7638 thumbprint: stable for the key, so it suits as the `kid`.
        return cast(str, self._signing_key.thumbprint())

    def streamlit_auth_settings(self, redirect_uri: str, cookie_secret: str) -> dict[str, str]:
        """The `[auth]` section of Streamlit's secrets that signs in through this provider."""
        return {
            "redirect_uri": redirect_uri,
            "cookie_secret": cookie_secret,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "server_metadata_url": self.metadata_url,
        }

    # Documents served -------------------------------------------------------------------

    def discovery_document(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": list(SCOPES_SUPPORTED),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": list(CLAIMS_SUPPORTED),
        }

    def public_key_set(self) -> dict[str, Any]:
        public_key = self._signing_key.as_dict(is_private=False)
        public_key.update(kid=self.key_id, use="sig", alg="RS256")
        return {"keys": [public_key]}

    # People -------------------------------------------------------------------------------

    def display_name(self, email: str) -> str | None:
        """The person's name, or None when `people` is given and does not list them."""
        if self.people is None:
            return email.partition("@")[0]
        return self.people.get(email)

    @staticmethod
    def subject(email: str) -> str:
        # Stable across runs and providers, as a real provider's `sub` is for one account.
        return hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]

    # The flow ---------------------------------------------------------------------------

    def issue_code(self, email: str, request: Mapping[str, str]) -> str:
        code = secrets.token_urlsafe(32)
        grant = AuthorizationGrant(
            email=email,
            client_id=request["client_id"],
            redirect_uri=request["redirect_uri"],
            scope=request.get("scope", ""),
            nonce=request.get("nonce") or None,
            code_challenge=request.get("code_challenge") or None,
            expires_at=time.time() + CODE_LIFETIME_SECONDS,
        )
        with self._lock:
            self._codes[code] = grant
        return code

    def exchange_code(self, form: Mapping[str, str], authorization: str | None) -> dict[str, Any]:
        """The token endpoint's answer to an authorization code, or a TokenError."""
        client_id = self._authenticated_client(form, authorization)
        if form.get("grant_type") != "authorization_code":
            raise TokenError("unsupported_grant_type", "Only authorization_code is supported.")
        code = form.get("code")
        if not code:
            raise TokenError("invalid_request", "The code is missing.")
        with self._lock:
            # Popped before any check so that a code is never good twice, even after a failure.
            grant = self._codes.pop(code, None)
        if grant is None or grant.expires_at < time.time():
            raise TokenError("invalid_grant", "The code is unknown, used or expired.")
        if grant.client_id != client_id:
            raise TokenError("invalid_grant", "The code was issued to another client.")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise TokenError("invalid_grant", "The redirect_uri differs from the authorization.")
        self._check_code_verifier(grant, form.get("code_verifier"))

        access_token = secrets.token_urlsafe(32)
        now = int(time.time())
        with self._lock:
            self._access_tokens[access_token] = AccessGrant(
                grant.email, now + TOKEN_LIFETIME_SECONDS
            )
            self.signed_in.append(grant.email)
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "id_token": self._id_token(grant, access_token, now),
            "scope": grant.scope,
        }

    def user_claims(self, email: str) -> dict[str, Any]:
        return {
            "sub": self.subject(email),
            "email": email,
            "email_verified": True,
            "name": self.display_name(email) or email,
            "preferred_username": email,
        }

    def userinfo_for(self, access_token: str) -> dict[str, Any] | None:
        with self._lock:
            grant = self._access_tokens.get(access_token)
        if grant is None or grant.expires_at < time.time():
            return None
        return self.user_claims(grant.email)

    def record_sign_out(self, id_token_hint: str | None) -> None:
        if not id_token_hint:
            return
        try:
            claims = jwt.decode(id_token_hint, self._signing_key)
        except (JoseError, ValueError):
            return  # A hint this provider did not sign names nobody.
        email = claims.get("email")
        if isinstance(email, str):
            with self._lock:
                self.signed_out.append(email)

    def _authenticated_client(self, form: Mapping[str, str], authorization: str | None) -> str:
        """The client_id after checking its secret, by HTTP Basic or in the body."""
        body_secret = form.get("client_secret")
        if authorization and authorization[:6].lower() == "basic ":
            if body_secret is not None:
                raise TokenError("invalid_request", "Use one client authentication method.")
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
            except ValueError:
                raise self._client_error() from None
            client_id, separator, secret = decoded.partition(":")
            if not separator:
                raise self._client_error()
            # RFC 6749 form-encodes both before Base64, but Authlib sends them raw: accept both.
            candidates = {(client_id, secret), (unquote_plus(client_id), unquote_plus(secret))}
        elif body_secret is not None:
            candidates = {(form.get("client_id", ""), body_secret)}
        else:
            raise self._client_error()
        for client_id, secret in candidates:
            if client_id == self.client_id and secrets.compare_digest(
                secret.encode(), self.client_secret.encode()
            ):
                if form.get("client_id", client_id) != client_id:
                    raise TokenError("invalid_request", "The body names another client_id.")
                return client_id
        raise self._client_error()

    @staticmethod
    def _client_error() -> TokenError:
        return TokenError(
            "invalid_client", "Client authentication failed.", HTTPStatus.UNAUTHORIZED
        )

    @staticmethod
    def _check_code_verifier(grant: AuthorizationGrant, verifier: str | None) -> None:
        if grant.code_challenge is None:
            if verifier is not None:
                # A verifier with no challenge means the challenge was stripped in transit.
                raise TokenError("invalid_grant", "No code_challenge was given for this code.")
            return
        if not verifier:
            raise TokenError("invalid_grant", "The code_verifier is missing.")
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if not secrets.compare_digest(expected, grant.code_challenge):
            raise TokenError("invalid_grant", "The code_verifier does not match.")

    def _id_token(self, grant: AuthorizationGrant, access_token: str, now: int) -> str:
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + TOKEN_LIFETIME_SECONDS,
            "auth_time": now,
            "at_hash": _left_half_hash(access_token),
            **self.user_claims(grant.email),
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        header = {"alg": "RS256", "kid": self.key_id, "typ": "JWT"}
        return cast(bytes, jwt.encode(header, claims, self._signing_key)).decode("ascii")


def _left_half_hash(value: str) -> str:
    """OIDC's at_hash for RS256: the left half of the SHA-256 digest, base64url."""
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def is_loopback_uri(uri: str) -> bool:
    """Whether `uri` is an http URI on this machine: the only redirects this provider makes."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and not parts.fragment


def with_query(uri: str, params: Mapping[str, str]) -> str:
    """`uri` with `params` added to any query it already has."""
    parts = urlsplit(uri)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))


def single_values(query: str) -> dict[str, str]:
    """Form or query parameters, refusing repeats (RFC 6749 section 3.1)."""
    parsed = parse_qs(query, keep_blank_values=True)
    repeated = sorted(name for name, values in parsed.items() if len(values) > 1)
    if repeated:
        raise ValueError(f"Repeated parameters: {', '.join(repeated)}")
    return {name: values[0] for name, values in parsed.items()}


SIGN_IN_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Test identity provider</title></head>
<body>
<main>
<h1>Test identity provider</h1>
<p>For tests only. Type the email address of the person to become.</p>
{error}
<form method="post" action="/authorize">
{hidden}
<label for="email">Email</label>
<input type="text" id="email" name="email" value="{email}" autocomplete="username" autofocus>
<button type="submit" name="action" value="sign-in">Sign in</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form>
</main>
</body>
</html>
"""

MESSAGE_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><main><h1>{heading}</h1><p>{detail}</p></main></body>
</html>
"""


class ProviderServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, provider: IdentityProvider | None = None) -> None:
        super().__init__(("127.0.0.1", 0), ProviderRequestHandler)
        self.provider = provider


class ProviderRequestHandler(BaseHTTPRequestHandler):
    # HTTP/1.0: one request per connection, so no keep-alive socket holds a thread at shutdown.
    protocol_version = "HTTP/1.0"
    timeout = SOCKET_TIMEOUT_SECONDS
    server_version = "TestIdentityProvider/1"

    @property
    def provider(self) -> IdentityProvider:
        return cast(IdentityProvider, cast(ProviderServer, self.server).provider)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: a line per request on stderr would clutter every test's output."""

    # Routing ------------------------------------------------------------------------------

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        routes = {
            "/.well-known/openid-configuration": self._discovery,
            "/jwks": self._jwks,
            "/authorize": self._authorize_page,
            "/userinfo": self._userinfo,
            "/logout": self._logout,
        }
        self._route(routes, path, query)

    def do_POST(self) -> None:
        path, _, _ = self.path.partition("?")
        routes = {"/authorize": self._authorize_submit, "/token": self._token}
        try:
            body = self._read_body()
        except ValueError as error:
            self._send_json({"error": "invalid_request", "error_description": str(error)}, 400)
            return
        self._route(routes, path, body)

    def _route(self, routes: Mapping[str, Any], path: str, query: str) -> None:
        handler = routes.get(path)
        if handler is None:
            self._send_json({"error": "not_found"}, HTTPStatus.NOT_FOUND)
            return
        try:
            params = single_values(query)
        except ValueError as error:
            self._send_json({"error": "invalid_request", "error_description": str(error)}, 400)
            return
        handler(params)

    # Endpoints ----------------------------------------------------------------------------

    def _discovery(self, _params: dict[str, str]) -> None:
        self._send_json(self.provider.discovery_document())

    def _jwks(self, _params: dict[str, str]) -> None:
        self._send_json(self.provider.public_key_set())

    def _authorize_page(self, params: dict[str, str]) -> None:
        if self._refuse_authorization_request(params):
            return
        self._send_sign_in_page(params)

    def _authorize_submit(self, form: dict[str, str]) -> None:
        email = form.pop("email", "").strip().lower()
        action = form.pop("action", "sign-in")
        if self._refuse_authorization_request(form):
            return
        if action == "cancel":
            self._redirect_with_result(form, {"error": "access_denied"})
            return
        if "@" not in email:
            self._send_sign_in_page(form, email, "Enter an email address.")
            return
        if self.provider.display_name(email) is None:
            self._send_sign_in_page(form, email, "Unknown account")
            return
        code = self.provider.issue_code(email, form)
        self._redirect_with_result(form, {"code": code})

    def _token(self, form: dict[str, str]) -> None:
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        try:
            if content_type != "application/x-www-form-urlencoded":
                raise TokenError("invalid_request", "The body must be form-encoded.")
            answer = self.provider.exchange_code(form, self.headers.get("Authorization"))
        except TokenError as error:
            headers = {}
            if error.status == HTTPStatus.UNAUTHORIZED:
                headers["WWW-Authenticate"] = 'Basic realm="token"'
            body = {"error": error.error, "error_description": error.description}
            self._send_json(body, error.status, headers, no_store=True)
            return
        self._send_json(answer, no_store=True)

    def _userinfo(self, _params: dict[str, str]) -> None:
        authorization = self.headers.get("Authorization", "")
        scheme, _, access_token = authorization.partition(" ")
        claims = self.provider.userinfo_for(access_token.strip())
        if scheme.lower() != "bearer" or claims is None:
            headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            self._send_json({"error": "invalid_token"}, HTTPStatus.UNAUTHORIZED, headers)
            return
        self._send_json(claims)

    def _logout(self, params: dict[str, str]) -> None:
        self.provider.record_sign_out(params.get("id_token_hint"))
        destination = params.get("post_logout_redirect_uri")
        if destination is None:
            self._send_html(MESSAGE_PAGE.format(heading="Signed out", detail="You may close this."))
            return
        if not is_loopback_uri(destination):
            self._send_message(HTTPStatus.BAD_REQUEST, "post_logout_redirect_uri is not loopback")
            return
        state = params.get("state")
        self._redirect(with_query(destination, {"state": state}) if state else destination)

    # Authorization helpers ----------------------------------------------------------------

    def _refuse_authorization_request(self, params: dict[str, str]) -> bool:
        """Answer a bad authorization request and return True; return False for a good one.

        A wrong client or redirect URI gets a page, never a redirect (RFC 6749 section 4.1.2.1):
        redirecting there would hand the browser to whoever forged the request.
        """
        if params.get("client_id") != self.provider.client_id:
            self._send_message(HTTPStatus.BAD_REQUEST, "Unknown client_id")
            return True
        if not is_loopback_uri(params.get("redirect_uri", "")):
            self._send_message(HTTPStatus.BAD_REQUEST, "redirect_uri must be http on loopback")
            return True
        if params.get("response_type") != "code":
            self._redirect_with_result(params, {"error": "unsupported_response_type"})
            return True
        if "openid" not in params.get("scope", "").split():
            self._redirect_with_result(params, {"error": "invalid_scope"})
            return True
        has_challenge = bool(params.get("code_challenge"))
        has_method = "code_challenge_method" in params
        # Only S256: `plain`, the default when no method is named, would defeat PKCE's purpose.
        if has_challenge != has_method or (
            has_method and params["code_challenge_method"] != "S256"
        ):
            self._redirect_with_result(params, {"error": "invalid_request"})
            return True
        return False

    def _redirect_with_result(self, request: Mapping[str, str], result: dict[str, str]) -> None:
        if "state" in request:
            result = {**result, "state": request["state"]}
        self._redirect(with_query(request["redirect_uri"], result))

    def _send_sign_in_page(
        self, params: Mapping[str, str], email: str = "", error: str = ""
    ) -> None:
        # The original request rides along in hidden fields, so the POST can be checked again.
        hidden = "\n".join(
            f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
            for name, value in params.items()
        )
        error_html = f'<p role="alert">{html.escape(error)}</p>' if error else ""
        page = SIGN_IN_PAGE.format(error=error_html, hidden=hidden, email=html.escape(email))
        self._send_html(page, HTTPStatus.OK)

    # Responses ----------------------------------------------------------------------------

    def _read_body(self) -> str:
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 <= length <= MAX_BODY_BYTES:
            raise ValueError("The body is too large.")
        return self.rfile.read(length).decode("utf-8")

    def _send(
        self, status: int, content_type: str, body: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_json(
        self,
        document: Mapping[str, Any],
        status: int = HTTPStatus.OK,
        headers: Mapping[str, str] | None = None,
        *,
        no_store: bool = False,
    ) -> None:
        all_headers = dict(headers or {})
        if no_store:
            # RFC 6749 section 5.1: tokens must not be cached.
            all_headers.update({"Cache-Control": "no-store", "Pragma": "no-cache"})
        body = json.dumps(document).encode("utf-8")
        self._send(status, "application/json", body, all_headers)

    def _send_html(self, page: str, status: int = HTTPStatus.OK) -> None:
        headers = {"Cache-Control": "no-store"}
        self._send(status, "text/html; charset=utf-8", page.encode("utf-8"), headers)

    def _send_message(self, status: HTTPStatus, detail: str) -> None:
        heading = html.escape(status.phrase)
        self._send_html(MESSAGE_PAGE.format(heading=heading, detail=html.escape(detail)), status)

    def _redirect(self, location: str) -> None:
        self._send(HTTPStatus.FOUND, "text/plain", b"", {"Location": location})


@contextmanager
def running(
    people: Mapping[str, str] | None = None,
    client_id: str = "dashboard",
    client_secret: str | None = None,
) -> Iterator[IdentityProvider]:
    """Serve an identity provider on 127.0.0.1 (a free port) until the block ends.

    `people` maps email -> display name; only they may sign in (any email may when None).
    The client secret is random unless given.
    """
    listed = None if people is None else {e.strip().lower(): n for e, n in people.items()}
    server = ProviderServer()
    port = server.server_address[1]
    provider = IdentityProvider(
        issuer=f"http://127.0.0.1:{port}",
        client_id=client_id,
        client_secret=client_secret if client_secret is not None else secrets.token_urlsafe(32),
        people=listed,
    )
    server.provider = provider
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},  # so shutdown() returns within a blink
        name=f"identity-provider-{port}",
        daemon=True,
    )
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=SHUTDOWN_TIMEOUT_SECONDS)
