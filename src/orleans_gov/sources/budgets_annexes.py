"""Strict reader of the budgets annexes table of the agglomeration (``raw/sample/budgets_annexes.csv``, or a real
file of the same layout): one row per (année, budget), amounts in k€ (docs/TABLES.md, table ``budgets_annexes``)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.sources.csv_officiel import en_nombres, lire_table_texte

BUDGETS_ANNEXES = ("transports", "eau", "assainissement", "dechets")
"""The budgets annexes a groupement may hold for its services publics (M43 transports, M49 eau and assainissement,
déchets when financed by a redevance)."""
MONTANTS = ("recettes_fonctionnement", "depenses_fonctionnement", "versement_transport", "subvention_equilibre",
            "epargne_brute", "depenses_equipement", "emprunt", "remboursement_capital", "variation_perimetre",
            "encours_dette")
ENTETE = ("an", "budget", *MONTANTS, "origine", "provenance")


def read_budgets_annexes(path: str | Path) -> pd.DataFrame:
    """Read the table; refuse a header other than :data:`ENTETE`, an unknown budget, a non-integer year, a
    non-numeric or decimal-comma amount and a duplicated (année, budget), naming file, row and column."""
    path = Path(path)
    df, _ = lire_table_texte(path, separateur=",")
    if tuple(df.columns) != ENTETE:
        manquantes = [c for c in ENTETE if c not in df.columns]
        raise ErreurDonnees(f"en-tête inattendu (attendu : {', '.join(ENTETE)})", fichier=path, ligne=1,
                            colonne=manquantes[0] if manquantes else None)
    for i, v in df["budget"].items():
        if v not in BUDGETS_ANNEXES:
            raise ErreurDonnees(f"budget inconnu (attendus : {', '.join(BUDGETS_ANNEXES)})", fichier=path,
                                ligne=int(i), colonne="budget", valeur=v)
    for i, v in df["an"].items():
        if not v.isdigit():
            raise ErreurDonnees("année non entière", fichier=path, ligne=int(i), colonne="an", valeur=v)
    double = df.duplicated(["an", "budget"], keep="first")
    if double.any():
        i = int(df.index[double.to_numpy().argmax()])
        raise ErreurDonnees("(an, budget) présent deux fois", fichier=path, ligne=i, colonne="budget",
                            valeur=df.loc[i, "budget"])
    out = en_nombres(df, MONTANTS, path)
    out.insert(0, "budget", df["budget"].astype("string"))
    out.insert(0, "an", df["an"].astype("int64"))
    out["origine"] = df["origine"].astype("string")
    out["provenance"] = df["provenance"].astype("string")
    return out.reset_index(drop=True)
