"""PSI drift gate: baseline profiles of the reference data and the gate over current data.

`profile` (the stored baseline) and `core` (the maths) are engine-free; the engines
`brickgate.gates.psi.pandas` and `brickgate.gates.psi.spark` are imported on first use.
"""

from __future__ import annotations

from brickgate.gates.psi.core import FeatureResult, PsiGateOptions, PsiResult
from brickgate.gates.psi.profile import FeatureProfile, Profile, load_profile, log_profile, save_profile

__all__ = [
    "FeatureProfile",
    "FeatureResult",
    "Profile",
    "PsiGateOptions",
    "PsiResult",
    "load_profile",
    "log_profile",
    "save_profile",
]
