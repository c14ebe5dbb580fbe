"""The mission's perimeter: the 22 communes of the Communauté d'agglomération Orléans Val de Loire and the EPCI.

Codes, SIREN and names come from the DGCL list of EPCI members as shipped in ``@etalab/decoupage-administratif``
(``data/raw/reel/population/epci-244500468_membres_par-version-decoupage-administratif.csv``).
"""
from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # pandas is imported by the two functions that use it: the codes above load no pandas
    import pandas as pd

SIREN_AGGLO = "244500468"
NOM_AGGLO = "Communauté d'agglomération Orléans Val de Loire"
NOM_COURT_AGGLO = "AgglO Orléans Val de Loire"
CODE_DEP = "45"
DEP_DGFIP = "045"

# code INSEE -> (SIREN, nom officiel)
COMMUNES: dict[str, tuple[str, str]] = {
    "45034": ("214500340", "Boigny-sur-Bionne"),
    "45043": ("214500431", "Bou"),
    "45072": ("214500720", "Chanteau"),
    "45075": ("214500753", "La Chapelle-Saint-Mesmin"),
    "45089": ("214500894", "Chécy"),
    "45100": ("214501009", "Combleux"),
    "45147": ("214501470", "Fleury-les-Aubrais"),
    "45169": ("214501694", "Ingré"),
    "45194": ("214501942", "Mardié"),
    "45197": ("214501975", "Marigny-les-Usages"),
    "45232": ("214502320", "Olivet"),
    "45234": ("214502346", "Orléans"),
    "45235": ("214502353", "Ormes"),
    "45272": ("214502726", "Saint-Cyr-en-Val"),
    "45274": ("214502742", "Saint-Denis-en-Val"),
    "45282": ("214502825", "Saint-Hilaire-Saint-Mesmin"),
    "45284": ("214502841", "Saint-Jean-de-Braye"),
    "45285": ("214502858", "Saint-Jean-de-la-Ruelle"),
    "45286": ("214502866", "Saint-Jean-le-Blanc"),
    "45298": ("214502981", "Saint-Pryvé-Saint-Mesmin"),
    "45302": ("214503021", "Saran"),
    "45308": ("214503088", "Semoy"),
}
CODES_INSEE: tuple[str, ...] = tuple(sorted(COMMUNES))
ENTITES: tuple[str, ...] = CODES_INSEE + (SIREN_AGGLO,)
CODE_ORLEANS = "45234"

# DGFiP population bands of the comptes individuels des communes (``nomsst1``), lower bounds.
STRATES_DGFIP: list[tuple[int, str]] = [
    (0, "communes de moins de 250 hab"),
    (250, "communes de 250 à 500 hab"),
    (500, "communes de 500 à 2 000 hab"),
    (2000, "communes de 2 000 à 3 500 hab"),
    (3500, "communes de 3 500 à 5 000 hab"),
    (5000, "communes de 5 000 à 10 000 hab"),
    (10000, "communes de 10 000 à 20 000 hab"),
    (20000, "communes de 20 000 à 50 000 hab"),
    (50000, "communes de 50 000 à 100 000 hab"),
    (100000, "communes de plus de 100 000 hab"),
]
REGIME_FPU = "appartenant à un groupement fiscalisé (FPU)"


def strate_dgfip(population: float) -> str:
    """DGFiP population band (``nomsst1``) of a commune of the given ``pop1``."""
    import pandas as pd  # heavy third-party import kept lazy (the extraction starts before pandas is needed)

    if population is None or pd.isna(population) or population < 0:
        raise ValueError(f"population invalide pour déterminer la strate : {population!r}")
    bornes = [b for b, _ in STRATES_DGFIP]
    return STRATES_DGFIP[bisect.bisect_right(bornes, population) - 1][1]


def nom_entite(entite: str) -> str:
    """French name of an entity given its INSEE code or the agglomeration's SIREN."""
    entite = str(entite)
    if entite == SIREN_AGGLO:
        return NOM_COURT_AGGLO
    if entite in COMMUNES:
        return COMMUNES[entite][1]
    raise KeyError(f"entité inconnue du périmètre : {entite!r} (attendu : un des 22 codes INSEE ou le SIREN {SIREN_AGGLO})")


def verifier_entite(entite: str) -> str:
    """Return the canonical identifier (INSEE code or SIREN) or raise ``KeyError`` with a French message.

    Accepts a commune's SIREN too and maps it to its INSEE code.
    """
    entite = str(entite).strip()
    if entite in COMMUNES or entite == SIREN_AGGLO:
        return entite
    for code, (siren, _nom) in COMMUNES.items():
        if entite == siren:
            return code
    raise KeyError(f"entité inconnue du périmètre : {entite!r} (attendu : un des 22 codes INSEE ou le SIREN {SIREN_AGGLO})")


def code_insee_depuis_dgfip(dep: str, icom: str) -> str:
    """INSEE code from the DGFiP ``dep`` (3 chars, '045') and ``icom`` (3 chars, '234') fields.

    Metropolitan départements: drop the leading zero of ``dep`` ('045' -> '45'); overseas ('971'…): the
    INSEE code is the 3-character département followed by the last 2 characters of ``icom``.
    """
    if dep.startswith("0"):
        return dep[1:] + icom
    if dep in {"02A", "02B"}:
        return dep[1:] + icom
    return dep + icom[-2:]


def entites_frame() -> pd.DataFrame:
    """The 23 entities of the perimeter: ``entite``, ``code_insee``, ``siren``, ``nom``, ``niveau``."""
    import pandas as pd  # heavy third-party import kept lazy (see strate_dgfip)

    rows = [{"entite": c, "code_insee": c, "siren": s, "nom": n, "niveau": "commune"}
            for c, (s, n) in sorted(COMMUNES.items())]
    rows.append({"entite": SIREN_AGGLO, "code_insee": pd.NA, "siren": SIREN_AGGLO, "nom": NOM_COURT_AGGLO,
                 "niveau": "agglomération"})
    return pd.DataFrame(rows).astype({"code_insee": "string"})
