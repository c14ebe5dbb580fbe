"""Shared fixtures. ``donnees_construites`` builds data/processed once (file lock: safe with pytest-xdist)."""
from __future__ import annotations

import fcntl
from pathlib import Path

import pytest

from orleans_gov.base.catalogue import Catalogue
from orleans_gov.construction import construire_si_necessaire

RACINE = Path(__file__).resolve().parents[1]
DONNEES = RACINE / "data"
REEL = DONNEES / "raw" / "reel"


@pytest.fixture(scope="session")
def donnees_construites() -> Path:
    """The repository's data folder with data/processed up to date with its inputs (rebuilt under a lock when
    raw data, construction code or libraries changed since the last full build, or a table is missing)."""
    cat = Catalogue.depuis(DONNEES)
    cat.processed.mkdir(parents=True, exist_ok=True)
    with open(cat.processed / ".verrou", "w") as verrou:
        fcntl.flock(verrou, fcntl.LOCK_EX)
        try:
            construire_si_necessaire(DONNEES)
        finally:
            fcntl.flock(verrou, fcntl.LOCK_UN)
    return DONNEES
