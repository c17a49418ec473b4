"""Which PCNs a person sees by name; every other PCN becomes an unnamed peer.

A `pcn` user (dashboard.access) sees their own PCNs by name. Views that set a PCN against its
peers (funnel plots, rate tables) still show the others, but as "Peer PCN 3f9a1c": the label
comes from a keyed hash, so it is the same in every view of a process (a peer can be followed
from chart to chart) but says nothing about which PCN it is, and cannot be reversed by someone
who knows the public list of PCN codes. The filter keeps their figures to their own PCNs
(dashboard.ui.filters), so other PCNs otherwise appear only inside ICB-wide figures.

Masking is applied to every query result on its way out of the runner (`masked`), before any
view, caption, download or board pack sees it: no later code has another PCN's name to leak.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

# A key of this process: labels are stable within it and unguessable outside it.
_KEY = secrets.token_bytes(32)
CODE, NAME = "pcn_code", "pcn_name"


@dataclass(frozen=True)
class Scope:
    """The PCNs seen by name: None for every PCN (commissioners, analysts, the CLI)."""

    named: frozenset[str] | None = None

    @property
    def limited(self) -> bool:
        return self.named is not None


EVERY_PCN = Scope()


def peer_label(code: str) -> str:
    digest = hmac.new(_KEY, str(code).encode(), hashlib.sha256).hexdigest()
    return f"Peer PCN {digest[:6]}"


def mask(frame: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """`frame` with every PCN outside the scope's named ones replaced by its peer label.

    A frame naming PCNs without their codes cannot be told apart by PCN, so all its names go.
    """
    if not scope.limited or not ({CODE, NAME} & set(frame.columns)):
        return frame
    masked = frame.copy()
    if CODE not in masked.columns:
        masked[NAME] = "Peer PCN"
        return masked
    codes = masked[CODE].astype("string")
    other = ~codes.isin(list(scope.named)) & codes.notna()
    labels = codes[other].map(peer_label)
    masked[CODE] = masked[CODE].astype(object)
    masked.loc[other, CODE] = labels
    if NAME in masked.columns:
        masked[NAME] = masked[NAME].astype(object)
        masked.loc[other, NAME] = labels
    return masked


def within(params: Mapping[str, Any], scope: Scope) -> Mapping[str, Any]:
    """Query parameters whose PCN selection (`$pcns`, where empty means the whole ICB) stays
    inside the scope: never empty, never another PCN. The filter already keeps it there; this
    holds the line for any caller that does not."""
    if not scope.limited or "pcns" not in params:
        return params
    chosen = [code for code in params["pcns"] if code in scope.named]
    return {**params, "pcns": chosen or sorted(scope.named)}


Run = Callable[[str, Mapping[str, Any]], pd.DataFrame]


def masked(run: Run, scope: Scope) -> Run:
    """A query runner whose every result is masked to `scope`."""
    if not scope.limited:
        return run

    def run_masked(name: str, params: Mapping[str, Any]) -> pd.DataFrame:
        return mask(run(name, within(params, scope)), scope)

    return run_masked
