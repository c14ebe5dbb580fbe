"""Read a population table (input of ``extraire balances --population``), whatever its origin.

Accepted: ``populations_communes.parquet`` (``extraire comptes --populations``), a comptes individuels Parquet
(``code_insee``, ``an``, ``pop1``, ``nomsst1``), or an INSEE-like CSV/Parquet with ``code_insee`` (or ``CODGEO``)
and a population column (``pop1``, ``population``, ``population_municipale``, ``PMUN…``), with or without ``an``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import strate_dgfip
from orleans_gov.sources.nationaux.lecture import verifier_fichier

if TYPE_CHECKING:
    import pandas as pd


def lire_population(chemin: str | os.PathLike) -> pd.DataFrame:
    """Read a population table: ``populations_communes.parquet`` (from ``extraire comptes``), a comptes
    individuels parquet (``code_insee``, ``an``, ``pop1``, ``nomsst1``), or an INSEE-like CSV/Parquet with
    ``code_insee`` (or ``CODGEO``) and a population column (``pop1``, ``population``,
    ``population_municipale``, ``PMUN…``), with or without ``an``.

    Returns ``code_insee``, ``an`` (nullable: same population for every year), ``population``, ``strate``
    (``nomsst1`` when given, otherwise :func:`orleans_gov.base.territoire.strate_dgfip`).
    """
    import pandas as pd  # heavy third-party import kept lazy (orleans_gov.sources.nationaux: scan before pandas)

    chemin = Path(chemin)
    verifier_fichier(chemin, "fichier de population")
    if chemin.suffix.lower() == ".parquet":
        df = pd.read_parquet(chemin)
    else:
        df = pd.read_csv(chemin, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
    cols = {c.lower(): c for c in df.columns}
    code = cols.get("code_insee") or cols.get("codgeo") or cols.get("com_code")
    if code is None:
        raise ErreurDonnees("colonne « code_insee » (ou CODGEO) absente", fichier=chemin, ligne=1, colonne="code_insee")
    pop = next((cols[c] for c in ("pop1", "population", "population_municipale", "ptot") if c in cols), None)
    if pop is None:
        pmun = sorted(c for c in df.columns if c.upper().startswith("PMUN"))
        pop = pmun[-1] if pmun else None
    if pop is None:
        raise ErreurDonnees("colonne de population absente (pop1, population, population_municipale, PMUNxx)",
                            fichier=chemin, ligne=1, colonne="population")
    out = pd.DataFrame({"code_insee": df[code].astype(str).str.zfill(5),
                        "population": pd.to_numeric(df[pop], errors="coerce")})
    an = cols.get("an") or cols.get("millesime") or cols.get("millesime_recensement")
    out["an"] = pd.to_numeric(df[an], errors="coerce").astype("Int64") if an else pd.array([pd.NA] * len(df), "Int64")
    if "nomsst1" in cols:
        out["strate"] = df[cols["nomsst1"]].astype("string")
    else:
        out["strate"] = [strate_dgfip(p) if pd.notna(p) and p >= 0 else pd.NA for p in out["population"]]
        out["strate"] = out["strate"].astype("string")
    mauvais = out["population"].isna() | (out["population"] < 0)
    if mauvais.all():
        raise ErreurDonnees("aucune population numérique", fichier=chemin, colonne=pop)
    return out[~mauvais].reset_index(drop=True)

