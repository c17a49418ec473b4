"""A synthetic ICB: PCNs, referrals, outcomes, utilisation and VCSE provision.

Seeded and deterministic. Patterns follow published findings, not any real patient:
referral rates that put some PCNs below, some inside and some above the planning band;
wellbeing gains that are largest for people with a low baseline; modest falls in service
use that partly reflect regression to the mean (the comparison cohort falls too); and VCSE
capacity that runs short in some places and activities.

Every stage draws from one random generator in a fixed order (PCNs, referrals, outcomes,
utilisation, services, onward referrals): reordering the stages changes the data of a seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.devtools.synthetic.outcomes import draw_outcomes
from dashboard.devtools.synthetic.pcns import TRAITS, draw_pcns
from dashboard.devtools.synthetic.referrals import draw_referrals
from dashboard.devtools.synthetic.utilisation import draw_utilisation
from dashboard.devtools.synthetic.vcse import draw_onward_referrals, draw_services

REFERRALS_PER_PCN = 1_400  # over the three years, at the default scale


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


def generate(referrals: int | None = None, seed: int = 2024) -> SyntheticIcb:
    """A synthetic ICB; `referrals` sets the scale (about 42,000 over three years by default)."""
    rng = np.random.default_rng(seed)
    n_pcns = 30 if referrals is None else max(30, round(referrals / REFERRALS_PER_PCN))
    pcns = draw_pcns(rng, n_pcns)
    refs = draw_referrals(rng, pcns, referrals)
    outcomes = draw_outcomes(rng, refs)
    utilisation = draw_utilisation(rng, refs)
    services = draw_services(rng, pcns)
    return SyntheticIcb(
        pcns=pcns.drop(columns=TRAITS),
        referrals=refs,
        outcomes=outcomes,
        utilisation=utilisation,
        services=services,
        onward_referrals=draw_onward_referrals(rng, refs, services),
    )
