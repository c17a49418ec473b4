"""Sign-in and access, before any page runs.

With `[auth]` in `.streamlit/secrets.toml`, everyone signs in through the organisation's OIDC
provider (`st.login`) and is looked up in the access file (dashboard.access): someone not in
it sees a "no access" page naming whom to ask, and nothing else. Without `[auth]` the
dashboard runs open, for local use on the synthetic data, and a banner says so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from dashboard import access
from dashboard.data import audit, store
from dashboard.export import csv_bytes
from dashboard.measures.scope import Scope
from dashboard.ui import data

_PERSON = "_person"
_SIGNED_IN = "_signed_in_as"


def sign_in_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        if any(Path(path).exists() for path in st.get_option("secrets.files")):
            raise  # a secrets file that cannot be read: never run open because of it
        return False  # no secrets file at all


@st.cache_data(show_spinner=False, ttl=10)
def _access_list(path: str, changed: float) -> access.AccessList:
    # Re-read when the file changes (keyed by its mtime), so a revoked person loses access on
    # their next rerun; an unreadable file raises, and nobody gets in.
    return access.read_access(Path(path))


def _read_access() -> access.AccessList:
    path = access.access_path()
    changed = path.stat().st_mtime if path.exists() else 0.0
    return _access_list(str(path), changed)


def _signed_in_email() -> str | None:
    # Entra ID puts the sign-in name in preferred_username; `email` only when it is set up.
    return st.user.get("email") or st.user.get("preferred_username")


def _sign_in_page() -> None:
    st.title("Social prescribing dashboard")
    st.write(
        "Sign in with your organisation account to see the dashboard. What you see depends on "
        "the access your ICB has given you."
    )
    st.button("Sign in", key="sign_in", type="primary", icon=":material/login:", on_click=st.login)


def _no_access_page(email: str | None, contact: str, problem: str | None = None) -> None:
    st.title("No access")
    st.error(
        f"You are signed in as {email or 'an account without an email address'}, but this "
        f"account has not been given access to the dashboard. Ask {contact} for access.",
        icon=":material/block:",
    )
    if problem:
        st.caption(problem)
    st.button("Sign out", key="sign_out", icon=":material/logout:", on_click=st.logout)


def person() -> access.Person:
    """The person this session acts as (the open local user when sign-in is off)."""
    return st.session_state.get(_PERSON, access.OPEN)


def gate() -> access.Person:
    """Let the session through as a person with access, or draw why not and stop the run."""
    signing_in = sign_in_configured()
    if not signing_in:
        chosen = access.OPEN
    else:
        if not st.user.is_logged_in:
            _sign_in_page()
            st.stop()
        email = _signed_in_email()
        try:
            listed = _read_access()
        except access.AccessError as error:
            _refused(email, access.DEFAULT_CONTACT, str(error))
        chosen = listed.find(email)
        if chosen is None:
            _refused(email, listed.contact)
    st.session_state[_PERSON] = chosen
    data.set_scope(Scope(chosen.named_pcns))
    if signing_in and st.session_state.get(_SIGNED_IN) != chosen.email:
        st.session_state[_SIGNED_IN] = chosen.email
        record("sign-in", f"signed in as {chosen.role}")
    return chosen


def _refused(email: str | None, contact: str, problem: str | None = None) -> None:
    if st.session_state.get(_SIGNED_IN) != f"refused:{email}":
        st.session_state[_SIGNED_IN] = f"refused:{email}"
        audit.record(
            store.resolve_db_path(),
            who=email or "unknown",
            role="none",
            action="refused",
            what="signed in without access" + (f": {problem}" if problem else ""),
        )
    _no_access_page(email, contact, problem)
    st.stop()


def banner(who: access.Person) -> None:
    """The sidebar's note of who is signed in, or that the dashboard runs open."""
    with st.sidebar:
        if who is access.OPEN:
            st.info(
                "**Open for local use**: no sign-in is configured, so anyone who reaches this "
                "address sees every PCN and can load data. Configure sign-in (README, Security) "
                "before putting real extracts on a network.",
                icon=":material/lock_open:",
            )
            return
        scope = f"PCNs {', '.join(who.pcns)}" if who.role == "pcn" else "every PCN"
        st.caption(f"Signed in as **{who.label}**: {who.role}, {scope}.")
        if st.button("Sign out", key="sign_out", icon=":material/logout:"):
            record("sign-out")
            st.logout()


def record(action: str, what: str = "", filters: str = "") -> None:
    """Add an entry for this session's person to the audit trail."""
    recorder(action, what, filters)()


def recorder(action: str, what: str = "", filters: str = "") -> Callable[[], None]:
    """`record`, later: for a download made when clicked, which runs outside the session's
    script run (so it cannot read the session), bound to this session's person now."""
    who, db = person(), store.resolve_db_path()

    def recorded() -> None:
        audit.record(
            db,
            who=who.email if who is not access.OPEN else "local (no sign-in)",
            role=who.role,
            action=action,
            what=what,
            filters=filters,
        )

    return recorded


def exported(what: str, filters: str, make: Callable[[], bytes]) -> Callable[[], bytes]:
    """A download's `make`, recorded in the audit trail as an export when it runs: on the
    click, outside the session's script run, so the person is bound now."""
    noted = recorder("export", what, filters)

    def made() -> bytes:
        noted()
        return make()

    return made


def audit_panel() -> None:
    """The audit trail, newest first, for admins: on screen and as a CSV."""
    db = store.resolve_db_path()
    st.subheader("Audit trail")
    st.caption(
        f"Every sign-in, load, rollback, mapping change and export, newest first; kept in "
        f"`{audit.audit_path(db).name}` beside the database, so a rollback never removes it."
    )
    st.caption("The newest 500 entries; the download holds all of them.")
    st.dataframe(audit.trail(db, limit=500), hide_index=True, key="audit_trail")

    st.download_button(
        "Download the audit trail (CSV)",
        data=exported("audit trail", "", lambda: csv_bytes(audit.trail(db))),
        file_name="audit-trail.csv",
        mime="text/csv",
        key="download_audit",
        icon=":material/download:",
        on_click="ignore",
    )
