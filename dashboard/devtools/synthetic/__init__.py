"""A synthetic ICB: PCNs, referrals, outcomes, utilisation and VCSE provision.

Seeded and deterministic. Patterns follow published findings, not any real patient:
referral rates that put some PCNs below, some inside and some above the planning band;
wellbeing gains that are largest for people with a low baseline; modest falls in service
use that partly reflect regression to the mean (the comparison cohort falls too); and VCSE
capacity that runs short in some places and activities.

The ICB is drawn in parts of at most `PART_PCNS` PCNs, so that any scale is generated (and
written, by `demo`) in bounded memory. No part needs another's rows: a person and their
re-referrals, outcomes and service use belong to one PCN, and link workers refer people to
the VCSE services of their own PCN. Identifiers are numbered on from part to part, so they
stay unique across the ICB.

Random draws: one generator, seeded, draws the PCNs and then every PCN's number of referrals
(so that there are exactly `referrals` in all when asked). An ICB of one part (the default
ICB, and every scale up to `PART_PCNS` PCNs) draws everything else from that same generator,
in a fixed order: referrals, outcomes, utilisation, services, onward referrals. With more
parts, each part draws those stages in the same order from a child generator of its own
(`Generator.spawn`). Reordering the stages changes the data of a seed, and so, above one part,
does the part size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.devtools.synthetic.outcomes import draw_outcomes
from dashboard.devtools.synthetic.pcns import TRAITS, draw_pcns
from dashboard.devtools.synthetic.referrals import draw_referrals, referral_counts
from dashboard.devtools.synthetic.utilisation import draw_utilisation
from dashboard.devtools.synthetic.vcse import draw_onward_referrals, draw_services

REFERRALS_PER_PCN = 1_400  # over the three years, at the default scale
# About 210,000 referrals, 2.9 million rows of every kind together and 0.3 GB of frames in a
# part, at any scale.
PART_PCNS = 150


@dataclass(frozen=True)
class SyntheticIcb:
    pcns: pd.DataFrame
    referrals: pd.DataFrame
    outcomes: pd.DataFrame
    utilisation: pd.DataFrame
    services: pd.DataFrame
    onward_referrals: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "pcns": self.pcns,
            "referrals": self.referrals,
            "outcomes": self.outcomes,
            "utilisation": self.utilisation,
            "services": self.services,
            "onward_referrals": self.onward_referrals,
        }


@dataclass(frozen=True)
class _Numbering:
    """Where a part's identifiers start: after the previous parts' ones."""

    pcn: int = 0  # the PCN's place in the ICB, which its practice codes are numbered from
    referral: int = 1
    comparison: int = 1
    service: int = 1
    onward: int = 1

    def after(self, part: SyntheticIcb) -> _Numbering:
        comparison = part.utilisation["cohort"] == "comparison"
        return _Numbering(
            pcn=self.pcn + len(part.pcns),
            referral=self.referral + len(part.referrals),
            comparison=self.comparison + part.utilisation.loc[comparison, "person_id"].nunique(),
            service=self.service + len(part.services),
            onward=self.onward + len(part.onward_referrals),
        )


def generate(
    referrals: int | None = None, seed: int = 2024, part_pcns: int = PART_PCNS
) -> SyntheticIcb:
    """A synthetic ICB in memory; `referrals` sets the scale (about 42,000 over three years by
    default). For millions of referrals, take the `parts` one at a time instead."""
    drawn = list(parts(referrals, seed, part_pcns))
    return SyntheticIcb(
        **{
            kind: pd.concat([part.tables()[kind] for part in drawn], ignore_index=True)
            for kind in drawn[0].tables()
        }
    )


def parts(
    referrals: int | None = None, seed: int = 2024, part_pcns: int = PART_PCNS
) -> Iterator[SyntheticIcb]:
    """The ICB of `generate`, `part_pcns` PCNs at a time (the last part may have fewer): each
    part holds its PCNs and only their rows of every table."""
    if part_pcns < 1:
        raise ValueError(f"a part needs at least one PCN, not {part_pcns}")
    rng = np.random.default_rng(seed)
    n_pcns = 30 if referrals is None else max(30, round(referrals / REFERRALS_PER_PCN))
    pcns = draw_pcns(rng, n_pcns)
    counts = referral_counts(rng, pcns, referrals)
    starts = range(0, n_pcns, part_pcns)
    # A single part keeps drawing on the ICB's generator, so its data is what it always was.
    generators = [rng] if len(starts) == 1 else rng.spawn(len(starts))
    first = _Numbering()
    for start, part_rng in zip(starts, generators, strict=True):
        chosen = slice(start, start + part_pcns)
        part = _draw_part(part_rng, pcns.iloc[chosen], counts[chosen], first)
        first = first.after(part)
        yield part


def _draw_part(
    rng: np.random.Generator, pcns: pd.DataFrame, counts: np.ndarray, first: _Numbering
) -> SyntheticIcb:
    refs = draw_referrals(rng, pcns, counts, first_pcn=first.pcn, first_referral=first.referral)
    outcomes = draw_outcomes(rng, refs)
    utilisation = draw_utilisation(rng, refs, first_comparison=first.comparison)
    services = draw_services(rng, pcns, first_service=first.service)
    return SyntheticIcb(
        pcns=pcns.drop(columns=TRAITS),
        referrals=refs,
        outcomes=outcomes,
        utilisation=utilisation,
        services=services,
        onward_referrals=draw_onward_referrals(rng, refs, services, first_onward=first.onward),
    )
